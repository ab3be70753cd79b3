/**
 * Reads the metadata ComfyUI writes into an MP4 (SaveVideo: PyAV with `movflags=use_metadata_tags`):
 * QuickTime `mdta` items, `moov/udta/meta` (or `moov/meta`) holding a `keys` box that names each
 * item and an `ilst` box whose items are numbered by key. No maintained library reads these
 * tags in a browser, so this walks the boxes itself (ISO/IEC 14496-12 box headers, Apple's
 * QuickTime File Format for `keys`/`ilst`).
 */

interface Box {
  type: string;
  /** The type's four bytes as a number: an `ilst` item's key index. */
  code: number;
  /** Where the box's content starts and ends. */
  start: number;
  end: number;
}

const text = new TextDecoder();

function boxes(view: DataView, start: number, end: number): Box[] {
  const found: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) break;
    const type = String.fromCharCode(
      view.getUint8(at + 4),
      view.getUint8(at + 5),
      view.getUint8(at + 6),
      view.getUint8(at + 7),
    );
    found.push({ type, code: view.getUint32(at + 4), start: at + header, end: at + size });
    at += size;
  }
  return found;
}

const child = (view: DataView, box: Box | undefined, type: string) =>
  box && boxes(view, box.start, box.end).find((b) => b.type === type);

/** `meta` is a full box in MP4 (4 bytes of version and flags first), a plain one in QuickTime files. */
function metaChildren(view: DataView, meta: Box): Box[] {
  const asFullBox = boxes(view, meta.start + 4, meta.end);
  return asFullBox.some((b) => b.type === 'hdlr' || b.type === 'keys')
    ? asFullBox
    : boxes(view, meta.start, meta.end);
}

function keyNames(view: DataView, keys: Box): string[] {
  const names: string[] = [];
  const count = view.getUint32(keys.start + 4);
  let at = keys.start + 8;
  for (let i = 0; i < count && at + 8 <= keys.end; i++) {
    const size = view.getUint32(at);
    if (size < 8 || at + size > keys.end) break;
    names.push(text.decode(new Uint8Array(view.buffer, view.byteOffset + at + 8, size - 8)));
    at += size;
  }
  return names;
}

/** The file's `mdta` text items by key name (`workflow`, `prompt`, ...); empty when it has none. */
export function mp4TextMetadata(bytes: Uint8Array): Record<string, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = boxes(view, 0, bytes.byteLength).find((b) => b.type === 'moov');
  const meta = child(view, child(view, moov, 'udta'), 'meta') ?? child(view, moov, 'meta');
  if (!meta) return {};
  const inside = metaChildren(view, meta);
  const keys = inside.find((b) => b.type === 'keys');
  const items = inside.find((b) => b.type === 'ilst');
  if (!keys || !items) return {};
  const names = keyNames(view, keys);
  const values: Record<string, string> = {};
  for (const item of boxes(view, items.start, items.end)) {
    const data = boxes(view, item.start, item.end).find((b) => b.type === 'data');
    const name = names[item.code - 1];
    // Type indicator 1: UTF-8 text (then 4 bytes of locale before the value).
    if (!data || !name || view.getUint32(data.start) !== 1) continue;
    values[name] = text.decode(
      new Uint8Array(view.buffer, view.byteOffset + data.start + 8, data.end - data.start - 8),
    );
  }
  return values;
}
