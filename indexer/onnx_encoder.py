"""The embedding model as an ONNX Runtime graph: int8 for the onnx encoder, float32 for the torch encoder's queries.

The model folder's transformer, with mean pooling, is exported once with
``torch.onnx.export``. The onnx encoder quantises its weights to int8 per channel,
the [CLS] token's rows apart from the others' (``quantise``): 2.7–2.9 times torch
float32's paragraphs/s at the same batch size on 2 cores, nDCG@10 within 0.002 of
float32 on msmarco and dbpedia, queries in a few ms. Left in float32 it is the torch
model's own function (query vectors at cosine 1.0000 to torch float32's): the torch
encoder answers queries with it in 4 ms instead of 10–16 ms in bfloat16 torch, and a
search process never imports torch. The file is written into a cache folder, never
into the model folder, under a name that hashes the model's files, so later
processes load it in a fraction of a second. onnxruntime, torch and onnx are
imported only when text must be embedded, torch only to export.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from . import deadline, quantise
from .errors import ModelError

CHUNK = 1024  # texts tokenized at once, then embedded in order of their token counts


class OnnxEncoder:
    """Encodes as the folder's sentence-transformers pipeline does: its tokenizer and
    max_seq_length, mean pooling over the attention mask, unit length.

    ``precision`` "int8" is the onnx encoder; "float32" the torch encoder's query graph.
    """

    name = "onnx"

    def __init__(self, model_path: str, cache_dir: Path, precision: str = "int8"):
        self.model_path = model_path
        self.cache_dir = Path(cache_dir)
        self.precision = precision
        self._session = None
        self._tokenizer = None

    @property
    def dimension(self) -> int:
        return self._settings["dimension"]

    @property
    def quantization(self) -> str:
        """How the weights were quantised for this CPU; see ``quantise.quantization``."""
        return quantise.this_cpu()[0]

    @property
    def model_file(self) -> Path:
        """The cached model: one per model folder (its files' sizes and times) and precision (int8: quantisation)."""
        folder = Path(self.model_path).resolve()
        files = sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
                       for p in folder.rglob("*") if p.is_file())
        variant = self.quantization if self.precision == "int8" else self.precision
        key = hashlib.sha256(repr((str(folder), files, variant)).encode()).hexdigest()[:12]
        return self.cache_dir / f"onnx-{key}" / f"model-{self.precision}.onnx"

    def encode_documents(self, texts: list[str], batch_size: int, progress=None) -> np.ndarray:
        """(len(texts), dim) float32, unit length; ``progress(n)`` is told after each batch.

        Texts are taken longest first by characters, then each run of ``CHUNK`` in order of its token
        counts, so that a batch pads to almost nothing: in characters' order alone 30–37% of the token
        positions of msmarco's and dbpedia's passages were padding, in tokens' 2%.
        """
        order = np.array(sorted(range(len(texts)), key=lambda i: -len(texts[i])), dtype=np.int64)
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for first in range(0, len(texts), CHUNK):
            rows = order[first : first + CHUNK]
            ids, mask = self._tokenized([texts[i] for i in rows])
            longest_first = np.argsort(-mask.sum(axis=1), kind="stable")
            for start in range(0, len(rows), batch_size):
                batch = longest_first[start : start + batch_size]
                width = int(mask[batch[0]].sum())
                result[rows[batch]] = self._run(ids[batch, :width], mask[batch, :width])
                if progress:
                    progress(len(batch))
        return _unit(result)

    def encode_query(self, text: str) -> np.ndarray:
        return _unit(self._run(*self._tokenized([text])))[0]

    def _tokenized(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention mask, padded to the longest of ``texts``."""
        with deadline.paused():  # loading, once a process, is not the cost of the query that comes first
            tokenizer = self._load()[1]
        if self._settings["lower_case"]:
            texts = [text.lower() for text in texts]
        encodings = tokenizer.encode_batch([text.strip() for text in texts])
        return (np.array([e.ids for e in encodings], dtype=np.int64),
                np.array([e.attention_mask for e in encodings], dtype=np.int64))

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled embeddings of one batch, not yet normalised."""
        with deadline.paused():
            session = self._load()[0]
        return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    @functools.cached_property
    def _settings(self) -> dict:
        return _read_pipeline(Path(self.model_path))

    def _load(self):
        if self._session is None:
            settings = self._settings
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # no warning when a build forks later
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(self.model_path, "tokenizer.json")))
            tokenizer.enable_truncation(settings["max_seq_length"])
            tokenizer.enable_padding(pad_id=tokenizer.token_to_id(settings["pad_token"]),
                                     pad_token=settings["pad_token"])
            path = self.model_file
            if not path.is_file():
                _export(self.model_path, path, quantised=self.precision == "int8")
            self._tokenizer, self._session = tokenizer, _session(path)
        return self._session, self._tokenizer


def _read_pipeline(folder: Path) -> dict:
    """The settings of a Transformer → mean Pooling (→ Normalize) folder; ModelError for any other."""
    def unsupported(why: str) -> ModelError:
        return ModelError(f"{folder}: {why}; the ONNX encoder needs a sentence-transformers folder with a "
                          "transformer, mean pooling and a tokenizer.json (or use the torch encoder)")

    def read(name: str) -> dict | list:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    try:
        modules = read("modules.json")
        pooling = read(Path(modules[1]["path"], "config.json"))
        settings, tokenizer = read("sentence_bert_config.json"), read("tokenizer_config.json")
        prompts = read("config_sentence_transformers.json").get("prompts")
    except (OSError, ValueError, KeyError, IndexError) as error:
        raise unsupported(f"not a sentence-transformers model folder ({error})") from None
    kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise unsupported(f"modules {' → '.join(kinds)}")
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode_") and value}
    if modes != {"pooling_mode_mean_tokens"}:
        raise unsupported(f"pooling {', '.join(sorted(modes))}")
    if prompts and any(prompts.values()):
        raise unsupported("prompts before the text")
    if not (folder / "tokenizer.json").is_file() or not isinstance(tokenizer.get("pad_token"), str):
        raise unsupported("no tokenizer.json with a pad_token")
    return {"dimension": int(pooling["word_embedding_dimension"]), "max_seq_length": int(settings["max_seq_length"]),
            "lower_case": bool(settings.get("do_lower_case")), "pad_token": tokenizer["pad_token"]}


def _export(model_path: str, target: Path, quantised: bool) -> None:
    """Export (and quantise) in a scratch folder beside ``target``, then rename: a process racing
    another one replaces the same bytes, and a crash leaves no half-written model."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
            exported = Path(scratch, "float.onnx")
            _export_float(model_path, exported)
            os.replace(quantise.quantised(exported) if quantised else exported, target)
    except Exception as error:  # torch, onnx and onnxruntime raise many kinds; all mean "no model"
        advice = "; use the torch encoder" if quantised else ""
        raise ModelError(f"{model_path}: export to ONNX into {target.parent} failed "
                         f"({type(error).__name__}: {error}){advice}") from error


def _export_float(model_path: str, path: Path) -> None:
    """The transformer with mean pooling, as float32 ONNX with dynamic batch and sequence axes."""
    import torch
    import transformers

    class MeanPooled(torch.nn.Module):
        """Pooling inside the graph; calling the model with keywords also keeps transformers 5
        from being handed use_cache twice by the exporter."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            tokens = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    transformers.logging.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    # a folder on disk (local_files_only), never the hub, so there is no revision to pin (bandit B615)
    model = transformers.AutoModel.from_pretrained(  # nosec B615
        model_path, local_files_only=True, attn_implementation="eager")
    example = torch.ones((2, 8), dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it fixed; the axes below stay dynamic
        torch.onnx.export(MeanPooled(model.eval()), (example, example), str(path), dynamo=False, opset_version=17,
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}})


def _session(path: Path):
    """One intra-op thread per CPU this process may use; operators run one after another."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = len(os.sched_getaffinity(0))
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    # idle threads sleep: spinning ones take the cores from the server's other requests and from numpy
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own exception types
        raise ModelError(f"{path}: the cached ONNX model cannot be loaded ({error}); delete it to export again") from None


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
