// Stands in for `semver` in Lambda bundles. aws-xray-sdk-core (under the Powertools Tracer) requires
// semver in one place only, its AWS SDK v2 patcher, to check the v2 SDK's version; we use SDK v3,
// whose clients the Tracer captures without it. Bundling the real package costs every function
// 29 KB at cold start. lambda-bundle.ts refuses a bundle in which anything else imports this.
module.exports = {
  gte() {
    throw new Error('comfy-exec bundles no semver: capturing AWS SDK v2 clients is not supported');
  },
};
