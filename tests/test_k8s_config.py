"""k8s/config.yaml, the course's values for Zero to JupyterHub (Helm chart `jupyterhub` 4.4.0,
JupyterHub 5.5), checked offline.

The chart and its JSON schema (values.schema.yaml) are on no registry CI reaches, so Helm cannot
render or validate the file here. What is checked:
  * the file is YAML and every key in it is one the chart documents: DOCUMENTED below lists the
    keys this course uses or may add, copied from the chart's values.schema.yaml at 4.4.0
    (`*` is any key the chart lets the user name, such as an extraFiles entry); below
    FREE_FORM keys the chart passes the value on unchecked (Kubernetes objects, traitlets
    configuration), and so does this test, except for what follows;
  * hub.config's traits exist in the pinned JupyterHub (the classes it can import here:
    JupyterHub and Authenticator; KubeSpawner is not installed here);
  * the image is set (name without a tag, tag a string) and is the one docs/teaching.md builds
    from binder/: repo2docker's own Python environment for binder/runtime.txt carries
    jupyterhub-singleuser of the chart's JupyterHub major version, which the chart's default
    command starts;
  * memory: a guarantee and a limit, in Kubernetes units, guarantee <= limit, at least 1 GiB;
  * nbgrader: the config file the chart mounts compiles, its traits exist in the pinned
    nbgrader, and its exchange root is the mount of a volume the pods share.
What is not checked: the types and allowed values the schema gives each key (Helm does that at
install time), anything about the cluster (storage classes, a ReadWriteMany volume, the
registry), and that the image builds (the binder stage checks binder/ without Docker).
"""
import glob
import os
import re

import pytest
import yaml

from conftest import ROOT

CONFIG = os.path.join(ROOT, "k8s", "config.yaml")
CHART_VERSION, CHART_JUPYTERHUB = "4.4.0", "5.5.0"

# Keys documented in the chart's values.schema.yaml (4.4.0), for the sections the course uses.
DOCUMENTED = """
singleuser
singleuser.image singleuser.image.name singleuser.image.tag singleuser.image.pullPolicy singleuser.image.pullSecrets
singleuser.memory singleuser.memory.limit singleuser.memory.guarantee
singleuser.cpu singleuser.cpu.limit singleuser.cpu.guarantee
singleuser.defaultUrl singleuser.cmd singleuser.startTimeout singleuser.extraEnv singleuser.networkPolicy
singleuser.storage singleuser.storage.type singleuser.storage.capacity singleuser.storage.homeMountPath
singleuser.storage.extraLabels singleuser.storage.extraVolumes singleuser.storage.extraVolumeMounts
singleuser.storage.dynamic singleuser.storage.dynamic.storageClass singleuser.storage.dynamic.pvcNameTemplate
singleuser.storage.dynamic.volumeNameTemplate singleuser.storage.dynamic.storageAccessModes singleuser.storage.dynamic.subPath
singleuser.storage.static singleuser.storage.static.pvcName singleuser.storage.static.subPath
singleuser.extraFiles singleuser.extraFiles.* singleuser.extraFiles.*.mountPath singleuser.extraFiles.*.data
singleuser.extraFiles.*.stringData singleuser.extraFiles.*.binaryData singleuser.extraFiles.*.mode
hub hub.config hub.extraConfig hub.extraFiles hub.db hub.db.type hub.db.pvc hub.resources
cull cull.enabled cull.users cull.adminUsers cull.removeNamedServers cull.timeout cull.every cull.concurrency cull.maxAge
prePuller prePuller.continuous prePuller.hook
scheduling scheduling.userScheduler scheduling.podPriority scheduling.userPlaceholder
proxy proxy.https proxy.service
""".split()
# Below these the chart takes Kubernetes objects or traitlets configuration as they are.
FREE_FORM = """
singleuser.extraEnv singleuser.networkPolicy singleuser.storage.extraLabels singleuser.storage.extraVolumes
singleuser.storage.extraVolumeMounts singleuser.extraFiles.*.data hub.config hub.extraConfig hub.extraFiles
hub.db.pvc hub.resources singleuser.image.pullSecrets prePuller.continuous prePuller.hook
scheduling.userScheduler scheduling.podPriority scheduling.userPlaceholder proxy.https proxy.service
""".split()


@pytest.fixture(scope="module")
def values():
    with open(CONFIG, encoding="utf-8") as f:
        loaded = yaml.safe_load(f)
    assert isinstance(loaded, dict), "k8s/config.yaml is not a YAML mapping"
    return loaded


def keys(node, path=()):
    """Every key path in the values, as tuples, not descending below free-form keys."""
    for key, value in node.items():
        here = path + (str(key),)
        yield here
        if isinstance(value, dict) and not documented(here, FREE_FORM):
            yield from keys(value, here)


def documented(path, table):
    """path (or, for a free-form table, one of its ancestors) is in the table; `*` matches a key."""
    for entry in table:
        parts = entry.split(".")
        if len(parts) <= len(path) and all(p in ("*", k) for p, k in zip(parts, path)):
            if len(parts) == len(path) or table is FREE_FORM:
                return True
    return False


def quantity(text):
    """A Kubernetes memory quantity in bytes: 1G, 2Gi, 512M, 1e9."""
    units = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    m = re.fullmatch(r"(\d+(?:\.\d+)?(?:e\d+)?)([kMGT]i?|Ki)?", str(text))
    assert m, f"not a Kubernetes memory quantity: {text!r}"
    return float(m[1]) * units[m[2] or ""]


def test_it_uses_only_keys_the_chart_documents(values):
    unknown = [".".join(p) for p in keys(values) if not documented(p, DOCUMENTED)]
    assert not unknown, f"k8s/config.yaml: keys that chart {CHART_VERSION} does not document " \
                        f"(or that this test does not list yet, from its values.schema.yaml): {unknown}"


def test_hub_config_names_traits_that_exist(values):
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator

    classes = {"JupyterHub": JupyterHub, "Authenticator": Authenticator}
    for name, traits in values.get("hub", {}).get("config", {}).items():
        if name not in classes:
            continue  # e.g. KubeSpawner: not installed here
        missing = [t for t in traits if t not in classes[name].class_traits(config=True)]
        assert not missing, f"hub.config.{name}: no such setting in JupyterHub: {missing}"


def test_the_image_is_the_one_repo2docker_builds_from_binder(values):
    image = values["singleuser"]["image"]
    assert image.get("name") and ":" not in image["name"].rsplit("/", 1)[-1], \
        f"singleuser.image.name must name the image without its tag: {image.get('name')!r}"
    assert isinstance(image.get("tag"), str) and image["tag"], \
        f"singleuser.image.tag must be a string (quote it if it looks like a number): {image.get('tag')!r}"
    # repo2docker's own environment (into which binder/requirements.txt is installed) for the
    # Python of binder/runtime.txt starts the learner's server: jupyterhub-singleuser.
    import repo2docker

    with open(os.path.join(ROOT, "binder", "runtime.txt")) as f:
        python = re.fullmatch(r"python-(\d+\.\d+)", f.read().strip())[1]
    env = os.path.join(os.path.dirname(repo2docker.__file__), "buildpacks", "conda", f"environment.py-{python}.yml")
    with open(env) as f:
        singleuser = re.search(r"jupyterhub-singleuser==(\d+)\.", f.read())
    assert singleuser, f"{env}: no jupyterhub-singleuser in repo2docker's environment"
    assert singleuser[1] == CHART_JUPYTERHUB.split(".")[0], \
        f"the image's jupyterhub-singleuser {singleuser[1]}.x, the chart's JupyterHub {CHART_JUPYTERHUB}"
    assert values["singleuser"].get("cmd") in (None, "jupyterhub-singleuser")


def test_memory_has_a_guarantee_and_a_limit(values):
    memory = values["singleuser"]["memory"]
    guarantee, limit = quantity(memory["guarantee"]), quantity(memory["limit"])
    assert guarantee <= limit, f"singleuser.memory: guarantee {memory['guarantee']} above limit {memory['limit']}"
    assert limit >= 2**30 * 0.93, f"singleuser.memory.limit {memory['limit']}: a learner's server, notebook JVM " \
                                  "and its child JVMs need at least 1 GiB"


def test_nbgrader_exchange_is_a_shared_volume(values):
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.exchange import Exchange
    from traitlets.config import Config

    single = values["singleuser"]
    files = [f for f in single.get("extraFiles", {}).values() if f["mountPath"].endswith("/nbgrader_config.py")]
    assert len(files) == 1, "singleuser.extraFiles: one nbgrader_config.py for the pods"
    source = files[0]["stringData"]
    c = Config()
    exec(compile(source, "nbgrader_config.py", "exec"), {"get_config": lambda: c, "c": c})
    for section, cls in (("CourseDirectory", CourseDirectory), ("Exchange", Exchange)):
        unknown = [t for t in c.get(section, {}) if t not in cls.class_traits(config=True)]
        assert not unknown, f"nbgrader_config.py: {section} has no {unknown}"
    root = c.Exchange.root
    storage = single["storage"]
    mounts = {m["mountPath"]: m["name"] for m in storage.get("extraVolumeMounts", [])}
    assert root in mounts, f"the exchange {root} is not a mounted volume: {mounts}"
    volume = next((v for v in storage.get("extraVolumes", []) if v["name"] == mounts[root]), None)
    assert volume and "persistentVolumeClaim" in volume, \
        f"the exchange must be a claim every pod mounts (ReadWriteMany): {volume}"


def test_teaching_guide_describes_this_file():
    with open(os.path.join(ROOT, "docs", "teaching.md"), encoding="utf-8") as f:
        text = f.read()
    for needed in ("k8s/config.yaml", "repo2docker", "nbgrader-exchange", CHART_VERSION):
        assert needed in text, f"docs/teaching.md does not mention {needed}"
    assert glob.glob(os.path.join(ROOT, "binder", "postBuild"))
