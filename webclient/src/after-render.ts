/**
 * Resolves after the microtasks queued so far, among them Preact's render of what the caller just
 * emitted (Preact renders in a microtask), so the DOM holds the change before the caller's next
 * step. Not a task: a task would let Chromium produce a frame first, which costs up to a frame
 * (~10 ms measured) before the seal or the receipt even starts.
 */
export function afterRender(): Promise<void> {
  return Promise.resolve();
}
