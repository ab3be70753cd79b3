/** The client's rule for secrets in URLs, shared so environment files and model imports refuse the same ones. */
export { CREDENTIALS_IN_URL } from '../../client/src/url-credentials';
