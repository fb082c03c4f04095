/** A clock that only moves when code sleeps on it: retries and backoff run instantly and are countable. */
export function fakeClock(start = Date.UTC(2026, 10, 25, 12, 0, 0)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}
