import { startComfyUiSimulator } from './comfyui-simulator/server';
import type { LocalStackOptions } from './local-stack-options';

/** The ComfyUI the local stack's container talks to, and the folders the container may touch. */
export interface ComfyUiTarget {
  url: string;
  inputDir?: string;
  outputDir?: string;
  tempDir?: string;
  modelCacheDir?: string;
  /** Set when the stack started it (the simulator). */
  stop?: () => Promise<void>;
}

/**
 * The user's ComfyUI at `comfyuiUrl` with the folders they named (saying what cannot work without
 * them), or else the built-in simulator with its own folders.
 */
export async function comfyUiTarget(
  options: Pick<
    LocalStackOptions,
    | 'comfyuiUrl'
    | 'comfyuiInputDir'
    | 'comfyuiOutputDir'
    | 'comfyuiTempDir'
    | 'modelCacheDir'
    | 'simStepMs'
    | 'objectInfo'
  >,
  dataDir: string | undefined,
  log: (part: string, line: string) => void,
): Promise<ComfyUiTarget> {
  if (!options.comfyuiUrl) {
    const simulator = await startComfyUiSimulator({
      stepMs: options.simStepMs,
      objectInfoPath: options.objectInfo,
      dataDir,
    });
    log(
      'comfyui',
      `ComfyUI simulator at ${simulator.url} (${Object.keys(simulator.info).length} node types)`,
    );
    return {
      url: simulator.url,
      inputDir: simulator.files.dir('input'),
      outputDir: simulator.files.dir('output'),
      tempDir: simulator.files.dir('temp'),
      modelCacheDir: simulator.files.modelsDir,
      stop: () => simulator.stop(),
    };
  }
  log('comfyui', `using the ComfyUI at ${options.comfyuiUrl}`);
  if (!options.comfyuiInputDir)
    log(
      'comfyui',
      "COMFYUI_INPUT_DIR is not set: executes with input files will fail (the container cannot reach that ComfyUI's input folder)",
    );
  if (!options.comfyuiOutputDir || !options.comfyuiTempDir)
    log(
      'comfyui',
      "COMFYUI_OUTPUT_DIR or COMFYUI_TEMP_DIR is not set: every execute's files stay in that ComfyUI's output/ or temp/ (its API cannot delete them)",
    );
  return {
    url: options.comfyuiUrl,
    inputDir: options.comfyuiInputDir,
    outputDir: options.comfyuiOutputDir,
    tempDir: options.comfyuiTempDir,
    modelCacheDir: options.modelCacheDir,
  };
}
