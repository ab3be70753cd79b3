import { useEffect, useState } from 'preact/hooks';

/**
 * A picked file as a small picture (image or video frame), from the person's own disk: a blob URL,
 * released when the pick changes. Other files show their name only.
 */
export function PickedThumbnail(props: { file: File }) {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const created = URL.createObjectURL(props.file);
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [props.file]);
  if (!url) return null;
  const label = `picked: ${props.file.name}`;
  if (props.file.type.startsWith('image/')) return <img class="picked" src={url} alt={label} />;
  if (props.file.type.startsWith('video/'))
    return <video class="picked" src={url} muted aria-label={label} />;
  return <span class="hint">{label}</span>;
}
