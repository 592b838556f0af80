/**
 * Loading data for a page: the last answer stays on screen while the next one loads (a period
 * switch does not blank the page), `loading` drives the loading cue, and an answer that
 * arrives after a newer request was made is dropped. With `refreshMs`, the data is fetched
 * again in the background while the tab is visible (no loading cue: nothing was asked).
 */
import { useCallback, useEffect, useRef, useState } from './preact.js';

export function useData(load, deps, { refreshMs = 0 } = {}) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback((quiet = false) => {
    const mine = ++generation.current;
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (mine === generation.current) setState({ data, error: null, loading: false });
      },
      (error) => {
        if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => run(), [run]);
  useEffect(() => {
    if (!refreshMs) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run(true);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [run, refreshMs]);
  return { ...state, reload: () => run() };
}
