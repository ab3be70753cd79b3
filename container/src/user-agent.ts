/** Added to the user agent of the container's DynamoDB calls: who wrote a record, in CloudTrail. */
export const CONTAINER_USER_AGENT = 'comfy-exec-endpoint-container';
