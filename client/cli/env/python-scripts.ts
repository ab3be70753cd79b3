/**
 * The two Python scripts the installer runs with the environment's interpreter (the one ComfyUI
 * runs with: only it can say what is installed and whether a pack imports). They are kept here
 * as text so the bundled command line carries them; the installer writes them into the ComfyUI
 * folder for the run (a sandboxed interpreter sees that folder, not necessarily /tmp).
 */

/**
 * Reads `[{"line": requirement}]` from the file named by argv[1] and writes, for each line, its
 * status to the file named by argv[2]: `satisfied` (installed at an allowed version: no pip),
 * `missing` (pip installs it), `skipped` (its marker excludes this interpreter), `guarded`
 * (it would install or replace torch, torchvision or torchaudio), or `invalid`. pip vendors
 * `packaging`, so this works wherever pip does, with or without `packaging` installed.
 */
export const REQUIREMENTS_CHECK_PY = `
import json, sys
from importlib import metadata
try:
    from packaging.requirements import Requirement, InvalidRequirement
    from packaging.utils import canonicalize_name
except ImportError:
    from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
    from pip._vendor.packaging.utils import canonicalize_name

GUARDED = {"torch", "torchvision", "torchaudio"}

def installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None

def status_of(text):
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        return {"status": "invalid", "reason": str(error)}
    if requirement.marker is not None and not requirement.marker.evaluate():
        return {"status": "skipped"}
    name = canonicalize_name(requirement.name)
    installed = installed_version(requirement.name)
    allowed = installed is not None and requirement.url is None and requirement.specifier.contains(installed, prereleases=True)
    if name in GUARDED:
        if allowed:
            return {"status": "satisfied", "installed": installed}
        return {"status": "guarded", "name": name, "installed": installed}
    if allowed and not requirement.extras:
        return {"status": "satisfied", "installed": installed}
    return {"status": "missing", "installed": installed}

with open(sys.argv[1], encoding="utf-8") as source:
    lines = json.load(source)
answers = [status_of(item["line"]) for item in lines]
guarded = {name: installed_version(name) for name in sorted(GUARDED)}
with open(sys.argv[2], "w", encoding="utf-8") as target:
    json.dump({"lines": answers, "guarded": guarded, "python": sys.version.split()[0]}, target)
`;

/**
 * Starts ComfyUI as \`main.py --quick-test-for-ci --cpu --disable-api-nodes\` does (its own
 * start-up: prestartup scripts, paths, the server object, core and custom nodes), in this
 * process, with ComfyUI's \`nodes.load_custom_node\` wrapped so each of the packs named in argv[1]
 * (a JSON list of folders) is recorded: whether ComfyUI loaded it, the node classes it added,
 * and what ComfyUI logged while loading it (the traceback of an import error). Writes
 * \`{folder: {...}}\` to the file named by argv[2]; a pack ComfyUI never tried is absent.
 */
export const IMPORT_CHECK_PY = `
import asyncio, importlib.abc, importlib.util, json, logging, os, runpy, sys

packs = set(os.path.realpath(folder) for folder in json.loads(sys.argv[1]))
results_file = os.path.abspath(sys.argv[2])
results = {}

class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
    def emit(self, record):
        self.lines.extend(self.format(record).splitlines())

def record_packs(nodes):
    load = nodes.load_custom_node
    async def load_and_record(module_path, *args, **kwargs):
        key = os.path.realpath(module_path)
        if key not in packs:
            return await load(module_path, *args, **kwargs)
        before = dict(nodes.NODE_CLASS_MAPPINGS)
        lines = Lines()
        logging.getLogger().addHandler(lines)
        try:
            loaded = await load(module_path, *args, **kwargs)
        finally:
            logging.getLogger().removeHandler(lines)
        added = sorted(name for name, cls in nodes.NODE_CLASS_MAPPINGS.items() if before.get(name) is not cls)
        results[key] = {"loaded": bool(loaded), "nodes": added, "log": lines.lines[-60:]}
        return loaded
    nodes.load_custom_node = load_and_record

class WrapNodesOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "nodes":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("nodes")
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            record_packs(module)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, WrapNodesOnImport())
sys.path.insert(0, os.getcwd())
sys.argv = ["main.py", "--quick-test-for-ci", "--cpu", "--disable-api-nodes"]
code = 0
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
with open(results_file, "w", encoding="utf-8") as target:
    json.dump({"exit": code, "packs": results}, target)
# ComfyUI's prompt worker thread is still running: leave without waiting for it.
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
`;
