import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import * as z from 'zod/mini';
import type { RegistryPackEntry } from '../../src/environment-file';
import { InstallError } from './install-error';
import type { InstalledPack, PackPlace } from './pack-place';

/** The Comfy registry (registry.comfy.org's API), as ComfyUI-Manager and comfy-cli use it. */
export const COMFY_REGISTRY_URL = 'https://api.comfy.org';

/** What the pack's folder remembers of where it came from, so a rebuild keeps it. */
const MARKER = '.comfy-exec-registry.json';
/** A pack archive larger than this is refused (the largest packs are tens of MB). */
const MAX_ARCHIVE_BYTES = 1024 ** 3;

const InstallAnswer = z.object({ downloadUrl: z.string(), version: z.optional(z.string()) });

/**
 * Fetches a registry pack at its version: the registry's install endpoint names the archive
 * (`GET /nodes/{id}/install?version=`), which is unpacked into `custom_nodes/{id}`. An answer
 * for another version is refused (the registry falls back to another release for a version it
 * does not have), and so is an archive entry that would land outside the pack's folder.
 */
export async function installRegistryPack(
  pack: RegistryPackEntry,
  place: PackPlace,
  registryUrl: string,
): Promise<InstalledPack> {
  const source = `registry ${pack.registry}@${pack.version}`;
  if (existsSync(place.folder)) {
    const marker = await readFile(join(place.folder, MARKER), 'utf8').catch(() => '');
    if (marker && JSON.parse(marker).version === pack.version) return { ...place, source, kept: true };
    throw new InstallError(
      `${place.name}: ${place.folder} already exists and is not ${source}: remove it, or pin the version it holds`,
    );
  }
  const base = registryUrl.replace(/\/+$/, '');
  const asked = `${base}/nodes/${encodeURIComponent(pack.registry)}/install?version=${encodeURIComponent(pack.version)}`;
  const answer = await fetchOrFail(asked, place.name);
  if (!answer.ok)
    throw new InstallError(
      `${place.name}: the registry answered ${answer.status} for ${pack.registry}@${pack.version}`,
      [(await answer.text()).slice(0, 500)],
    );
  const parsed = z.safeParse(InstallAnswer, await answer.json().catch(() => undefined));
  if (!parsed.success) throw new InstallError(`${place.name}: the registry's answer names no downloadUrl`);
  const { downloadUrl, version } = parsed.data;
  if (version !== undefined && version !== pack.version)
    throw new InstallError(
      `${place.name}: the registry offered version ${version} for ${pack.registry}@${pack.version}: that version is not published`,
    );
  const archiveUrl = new URL(downloadUrl, asked);
  if (archiveUrl.protocol !== 'https:' && archiveUrl.origin !== new URL(base).origin)
    throw new InstallError(
      `${place.name}: the registry's archive URL ${downloadUrl} is neither https nor the registry's own`,
    );
  const archive = await fetchOrFail(archiveUrl.href, place.name);
  if (!archive.ok) throw new InstallError(`${place.name}: ${archiveUrl.href} answered ${archive.status}`);
  const bytes = new Uint8Array(await archive.arrayBuffer());
  if (bytes.byteLength > MAX_ARCHIVE_BYTES)
    throw new InstallError(`${place.name}: its archive is over 1 GiB`);
  await rm(place.staging, { recursive: true, force: true });
  try {
    await unpack(bytes, place);
    await writeFile(
      join(place.staging, MARKER),
      `${JSON.stringify({ registry: pack.registry, version: pack.version })}\n`,
    );
    await rename(place.staging, place.folder);
  } finally {
    await rm(place.staging, { recursive: true, force: true });
  }
  return { ...place, source, kept: false };
}

async function fetchOrFail(url: string, name: string): Promise<Response> {
  try {
    return await fetch(url, { redirect: 'follow' });
  } catch (error) {
    throw new InstallError(
      `${name}: cannot reach ${url}: ${(error as Error).cause ?? (error as Error).message}`,
    );
  }
}

async function unpack(bytes: Uint8Array, place: PackPlace) {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new InstallError(`${place.name}: its archive is not a zip file: ${(error as Error).message}`);
  }
  await mkdir(place.staging, { recursive: true });
  for (const [entry, content] of Object.entries(entries)) {
    const parts = entry.split('/');
    if (entry.startsWith('/') || entry.includes('\\') || /^[A-Za-z]:/.test(entry) || parts.includes('..'))
      throw new InstallError(`${place.name}: its archive holds '${entry}', outside the pack's folder`);
    if (entry.endsWith('/')) {
      await mkdir(join(place.staging, entry), { recursive: true });
      continue;
    }
    const target = join(place.staging, entry);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

const NodeAnswer = z.object({ repository: z.optional(z.string()) });

/**
 * A registry pack's repository URL (`GET /nodes/{id}`); undefined when the registry does not know
 * it (or names none), null when the registry could not be reached at all.
 */
export async function registryRepository(
  registryUrl: string,
  id: string,
): Promise<string | undefined | null> {
  const url = `${registryUrl.replace(/\/+$/, '')}/nodes/${encodeURIComponent(id)}`;
  let answer: Response;
  try {
    answer = await fetch(url);
  } catch {
    return null;
  }
  if (!answer.ok) return undefined;
  const parsed = z.safeParse(NodeAnswer, await answer.json().catch(() => undefined));
  const repository = parsed.success ? parsed.data.repository : undefined;
  return repository && /^https:\/\/\S+$/.test(repository) ? repository : undefined;
}
