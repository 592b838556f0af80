/**
 * Preact, its hooks and htm from one vendored ES module (htm/preact/standalone, served from
 * node_modules by the API): no build step, and every other file imports from here, so moving to
 * another copy of the library is a one-line change.
 */
export {
  html,
  render,
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from '../vendor/htm/preact/standalone.module.js';
