/**
 * What ComfyUI's `folder_paths.annotated_filepath` takes for a folder annotation: it tests
 * `endswith("[output]")` (no space needed) and cuts one more character, so `x.png[output]` is read
 * from the output folder as much as `x.png [output]`.
 */
const ANY_ANNOTATION = /\[(input|output|temp)\]$/;

/**
 * Why a file input's value could reach a file outside the execute's own, or undefined when its
 * form is confined: ComfyUI's `get_annotated_filepath` joins it to a folder with `os.path.join`,
 * so an absolute name replaces the folder, `..` leaves it, and an ` [output]`/` [temp]`
 * annotation switches to a folder every key's results share. Only ` [input]` stays (the execute's
 * files are there). Backslashes and control characters are refused as no real file name has them.
 */
export function fileValueProblem(value: string): string | undefined {
  const bare = value.endsWith(' [input]') ? value.slice(0, -' [input]'.length) : value;
  const annotation = ANY_ANNOTATION.exec(bare);
  if (annotation)
    return `the annotation '[${annotation[1]}]' reads ComfyUI's ${annotation[1]} folder, outside this execute's files`;
  if (bare === '') return 'is empty';
  if (bare.startsWith('/')) return 'is an absolute path';
  if (bare.includes('\\')) return 'contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(bare)) return 'contains a control character';
  if (bare.split('/').includes('..')) return "has a '..' segment";
  return undefined;
}
