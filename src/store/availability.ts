/**
 * Whether an error means the store cannot be reached (down, restarting, out of connections), as
 * opposed to a bad query or a bug: the API answers the first with 503, the second with 500.
 */
import {
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

const UNAVAILABLE = [
  MongoNetworkError, // timeouts and a cleared pool included
  MongoServerSelectionError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoTopologyClosedError,
  MongoClientClosedError,
  MongoOperationTimeoutError,
];

/** Looks through `cause` too: our own errors wrap the driver's. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (UNAVAILABLE.some((cls) => e instanceof cls)) return true;
    // The pool's wait-queue timeout is not exported: the store is there but overwhelmed.
    if (e.name === 'MongoWaitQueueTimeoutError') return true;
  }
  return false;
}
