import type { ImportUpload } from '../lib/import-task';

/**
 * Sends the file to the presigned POST (straight to the bucket, not through the API), reporting
 * progress. XMLHttpRequest because fetch has no upload progress.
 */
export function uploadFile(
  upload: ImportUpload,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  // S3 reads the policy fields first: the file must be the form's last part.
  form.append('file', file);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.uploadUrl);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        reject(new Error(uploadRefusal(request.status, request.responseText)));
      }
    });
    request.addEventListener('error', () =>
      reject(
        new Error('The upload could not reach the storage service. Check your connection and try again.'),
      ),
    );
    request.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    signal?.addEventListener('abort', () => request.abort());
    request.send(form);
  });
}

/** S3 answers in XML: its code says enough (EntityTooLarge, AccessDenied after the policy expired). */
function uploadRefusal(status: number, body: string): string {
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  if (code === 'EntityTooLarge') return 'The file is larger than the upload allows.';
  if (code === 'AccessDenied') return 'The upload link expired or was refused: pick the file again.';
  return `The storage service refused the upload (${code ?? status}). Pick the file again.`;
}
