/**
 * `withDeadline(p, ms, message)`: `p`, or a rejection with `message` once `ms` pass first (the timer is cleared
 * either way). For the awaits that have no deadline of their own: the dock's supervisor chunk, the helper's
 * credential providers.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
