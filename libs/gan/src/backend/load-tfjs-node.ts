import * as tf from '@tensorflow/tfjs';

const PACKAGE = '@tensorflow/tfjs-node';

export type TfjsNodeStatus = { readonly loaded: true } | { readonly loaded: false; readonly why: string };

let status: TfjsNodeStatus | undefined;

function isThisPackageMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  // A missing transitive file (e.g. the native binding) also says MODULE_NOT_FOUND,
  // but names that file: that is a broken install, not an absent one.
  return e.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.startsWith(`Cannot find module '${PACKAGE}'`);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0].trim();
}

/**
 * Loads the optional native backend once. tfjs-node is an optional dependency whose
 * install downloads libtensorflow, so it is often absent or half-installed; either
 * case is reported, never thrown.
 */
export function loadTfjsNode(): TfjsNodeStatus {
  if (status) return status;
  try {
    // A plain require: the package may not exist, so it must not be a static import.
    require(PACKAGE);
  } catch (error) {
    status = isThisPackageMissing(error)
      ? { loaded: false, why: `${PACKAGE} is not installed` }
      : { loaded: false, why: `${PACKAGE} is installed but failed to load: ${firstLine(error)}` };
    return status;
  }
  status =
    tf.findBackendFactory('tensorflow') != null
      ? { loaded: true }
      : { loaded: false, why: `${PACKAGE} loaded but registered no 'tensorflow' backend` };
  return status;
}
