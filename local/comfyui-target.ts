import { startComfyUiSimulator } from './comfyui-simulator/server';
import { newPartToken } from './local-credentials';
import type { LocalStackOptions } from './local-stack-options';

/** The ComfyUI the local stack's container talks to, and the folders the container may touch. */
export interface ComfyUiTarget {
  url: string;
  /**
   * '' : the container cannot see that folder (another machine). Inputs then travel through
   * ComfyUI's POST /upload/image, outputs stay where ComfyUI wrote them, and library models
   * cannot be brought (the container says what to set).
   */
  inputDir?: string;
  outputDir?: string;
  tempDir?: string;
  modelCacheDir?: string;
  /** Set when the stack started it (the simulator). */
  stop?: () => Promise<void>;
  /** What the container must send for the simulator to answer it; none for the user's ComfyUI. */
  callerToken?: string;
}

/** A ComfyUI on another machine: '' tells the container it sees none of its folders. */
const FOLDERS_UNSEEN = { inputDir: '', outputDir: '', tempDir: '', modelCacheDir: '' };

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
    | 'comfyuiElsewhere'
  >,
  dataDir: string | undefined,
  log: (part: string, line: string) => void,
): Promise<ComfyUiTarget> {
  if (!options.comfyuiUrl) {
    const callerToken = newPartToken();
    const simulator = await startComfyUiSimulator({
      callerToken,
      stepMs: options.simStepMs,
      objectInfoPath: options.objectInfo,
      dataDir,
    });
    log(
      'comfyui',
      `ComfyUI simulator at ${simulator.url} (${Object.keys(simulator.info).length} node types)`,
    );
    if (options.comfyuiElsewhere) {
      log('comfyui', 'the container is told none of its folders, as for a ComfyUI on another machine');
      return { url: simulator.url, ...FOLDERS_UNSEEN, stop: () => simulator.stop(), callerToken };
    }
    return {
      url: simulator.url,
      inputDir: simulator.files.dir('input'),
      outputDir: simulator.files.dir('output'),
      tempDir: simulator.files.dir('temp'),
      modelCacheDir: simulator.files.modelsDir,
      stop: () => simulator.stop(),
      callerToken,
    };
  }
  log('comfyui', `using the ComfyUI at ${options.comfyuiUrl}`);
  if (!options.comfyuiInputDir)
    log(
      'comfyui',
      "COMFYUI_INPUT_DIR is not set: input files go through that ComfyUI's POST /upload/image into input/comfy-exec/{prompt_id}/, and are emptied (not deleted: its API cannot) after each run",
    );
  if (!options.comfyuiOutputDir || !options.comfyuiTempDir)
    log(
      'comfyui',
      "COMFYUI_OUTPUT_DIR or COMFYUI_TEMP_DIR is not set: every execute's files stay in that ComfyUI's output/ or temp/ (its API cannot delete them)",
    );
  if (!options.modelCacheDir)
    log(
      'comfyui',
      "MODEL_CACHE_DIR is not set: executes that need a library model fail (set it to a folder that ComfyUI's extra_model_paths.yaml lists)",
    );
  return {
    url: options.comfyuiUrl,
    inputDir: options.comfyuiInputDir ?? FOLDERS_UNSEEN.inputDir,
    outputDir: options.comfyuiOutputDir ?? FOLDERS_UNSEEN.outputDir,
    tempDir: options.comfyuiTempDir ?? FOLDERS_UNSEEN.tempDir,
    modelCacheDir: options.modelCacheDir ?? FOLDERS_UNSEEN.modelCacheDir,
  };
}
