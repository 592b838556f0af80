/**
 * Bull Board: the queues' own dashboard (jobs by state, their data, errors and logs; retry,
 * promote, clean), for admins. The router it returns is mounted at `basePath` behind the admin
 * check by app.ts; its pages load their scripts and styles from under `basePath` and need a CSP
 * of their own (see `BULL_BOARD_CSP`).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

/**
 * What Bull Board's pages need, checked in Chromium (test/integration/bull-board.int.test.ts):
 * inline styles (its loading screen's `style` attributes and `<style>`, and its components'),
 * nothing inline for scripts (its settings travel in a JSON block, which is not run). Its page
 * also links a Google Fonts stylesheet: left blocked on purpose (an admin page of ours calls no
 * third party; system fonts stand in). To be set on `basePath` only: the rest of the app keeps
 * its strict policy.
 */
export const BULL_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** A router serving Bull Board over `queues`, for mounting at `basePath` (`/admin/queues`). */
export function createBullBoardRouter(queues: readonly Queue[], basePath: string): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Maillon' } },
  });
  // NOTE: the adapter types its router as `any`; it is an Express application, which is a Router.
  return serverAdapter.getRouter() as Router;
}
