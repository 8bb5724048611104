// A service error as the test server answers it: the status, the x-ms-error-code and a message. The
// HTTP layer renders it as the Data Lake JSON body or the Blob XML body, depending on the endpoint.

export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
