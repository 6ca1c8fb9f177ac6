#!/usr/bin/python3
"""PyTorch reference of sparkpeft's MiniLM benchmarks (bin/sparkpeft bench train / inference).

The same recipe as the Java side (dl4j-models src/test/.../bench/TrainBench.java): a BERT encoder with the
weights the Java side imported (all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, FFN 1536, erf GELU), mean
pooling, a linear head (softmax cross-entropy), LoRA r=8 alpha 16 dropout 0.1 on query and value, AdamW
(lr 1e-3, weight decay 0.01 on weights, none on biases), no other dropout, frozen base (no gradients), on the
same token ids. Written as plain torch ops (no `transformers`), so it runs with Debian's python3-torch alone.

It is a server: the Java bench starts it once and sends one JSON command per line on standard input; each
answer is one JSON line on standard output, so repetitions of both sides can alternate without restarts.

  {"cmd": "setup", "seq": 128, "tokens": "ids-128.txt"}   token ids, one row per line (labels: row % 2)
  {"cmd": "logits", "seq": 128}                            probabilities of the first forward (no dropout)
  {"cmd": "train", "seq": 128, "steps": 3}                 optimizer steps -> seconds, examples_per_sec
  {"cmd": "infer", "seq": 128, "iters": 3}                 no-grad forwards -> seconds, examples_per_sec
  {"cmd": "gemm", "shapes": [[m, k, n], ...], "reps": 3}   fp32 GEMM probe -> gflops
  {"cmd": "profile", "seq": 128, "steps": 2}               ms per training step by op class
  {"cmd": "quit"}

Usage: pytorch_minilm.py WEIGHTS.safetensors [threads]
"""
import ctypes
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F

RANK, ALPHA, LORA_DROPOUT, LR, WEIGHT_DECAY = 8, 16.0, 0.1, 1e-3, 0.01


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=torch.float32) \
            .reshape(entry["shape"]).clone()
    return out


class MiniLM:
    """Encoder + mean pooling + linear head; LoRA on query/value; only LoRA and the head train."""

    def __init__(self, weights):
        self.w = weights
        self.layers = 1 + max(int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer."))
        self.hidden = weights["embeddings.word_embeddings.weight"].shape[1]
        self.heads = int(weights["config.heads"].item())
        self.eps = float(weights["config.layer_norm_eps"].item())
        # nn.Linear layout: weight [out, in] (the Java side exports kernels [in, out])
        self.linear = {}
        for k in list(weights):
            if k.endswith(".kernel"):
                self.linear[k[:-len(".kernel")]] = (weights[k].t().contiguous(), weights[k[:-len(".kernel")] + ".bias"])
        torch.manual_seed(42)
        self.lora = {}
        for i in range(self.layers):
            for role in ("query", "value"):
                name = "encoder.layer.%d.attention.self.%s" % (i, role)
                out_f, in_f = self.linear[name][0].shape
                bound = 1.0 / math.sqrt(in_f)
                a = torch.empty(RANK, in_f).uniform_(-bound, bound).requires_grad_()
                b = torch.zeros(out_f, RANK, requires_grad=True)
                self.lora[name] = (a, b)
        w, b = self.linear["classifier"]
        self.head = (w.clone().requires_grad_(), b.clone().requires_grad_())
        lora_weights = [p for ab in self.lora.values() for p in ab]
        self.optimizer = torch.optim.AdamW([
            {"params": lora_weights + [self.head[0]], "weight_decay": WEIGHT_DECAY},
            {"params": [self.head[1]], "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.999), eps=1e-8)

    def dense(self, x, name, training, lora):
        w, b = self.linear[name]
        y = F.linear(x, w, b)
        if lora and name in self.lora:
            a, bb = self.lora[name]
            xd = F.dropout(x, LORA_DROPOUT, training) if training else x
            y = y + F.linear(F.linear(xd, a), bb) * (ALPHA / RANK)
        return y

    def forward(self, ids, training, lora=True):
        """Logits; lora=False is the plain encoder (the inference bench's work: DL4J runs the base graph)."""
        w = self.w
        batch, seq = ids.shape
        h = self.hidden
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:seq] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = F.layer_norm(x, (h,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        heads, dim = self.heads, h // self.heads
        for i in range(self.layers):
            p = "encoder.layer.%d." % i

            def split(t):
                return t.view(batch, seq, heads, dim).transpose(1, 2)

            q = split(self.dense(x, p + "attention.self.query", training, lora))
            k = split(self.dense(x, p + "attention.self.key", training, lora))
            v = split(self.dense(x, p + "attention.self.value", training, lora))
            probs = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dim), dim=-1)
            context = torch.matmul(probs, v).transpose(1, 2).reshape(batch, seq, h)
            x = F.layer_norm(self.dense(context, p + "attention.output.dense", training, lora) + x, (h,),
                             w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                             self.eps)
            inter = F.gelu(self.dense(x, p + "intermediate.dense", training, lora))
            x = F.layer_norm(self.dense(inter, p + "output.dense", training, lora) + x, (h,),
                             w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        pooled = x.mean(dim=1)  # every token is real: no padding in the bench batches
        return F.linear(pooled, self.head[0], self.head[1])

    def step(self, ids, labels):
        self.optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.forward(ids, True), labels)
        loss.backward()
        self.optimizer.step()
        return loss


def timed(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - start


def op_class(name, shapes):
    n = name.lower()
    if n.startswith("autograd::") or n.endswith("backward0") or n.endswith("backward1"):
        return "per-step overhead (outside ops)"
    if n == "aten::matmul" and len(shapes) >= 2 and len(shapes[0]) == 4 and len(shapes[1]) == 4:
        return "attention batched products"
    if n in ("aten::mm", "aten::addmm", "aten::linear", "aten::matmul"):
        dims = [d for s in shapes if len(s) == 2 for d in s]
        return "GEMM LoRA (r=8)" if RANK in dims else "GEMM dense"
    if n in ("aten::bmm", "aten::baddbmm"):
        return "attention batched products"
    for key, cls in (("softmax", "softmax"), ("layer_norm", "LayerNorm"), ("gelu", "GELU"),
                     ("bernoulli", "dropout masks"), ("dropout", "dropout masks"),
                     ("embedding", "embeddings/pooling/head/loss"), ("index", "embeddings/pooling/head/loss"),
                     ("nll_loss", "embeddings/pooling/head/loss"), ("log_softmax", "embeddings/pooling/head/loss"),
                     ("mean", "embeddings/pooling/head/loss"), ("copy_", "copies/layout"),
                     ("clone", "copies/layout"), ("contiguous", "copies/layout"), ("reshape", "copies/layout"),
                     ("transpose", "copies/layout"), ("view", "copies/layout"), ("permute", "copies/layout"),
                     ("expand", "copies/layout"), ("aten::t", "copies/layout"), ("empty", "copies/layout"),
                     ("zero", "copies/layout"), ("aten::add", "elementwise (bias/residual/scale)"),
                     ("aten::mul", "elementwise (bias/residual/scale)"),
                     ("aten::div", "elementwise (bias/residual/scale)"), ("aten::sum", "elementwise (bias/residual/scale)")):
        if key in n:
            return cls
    return "other ops"


def profile(model, ids, labels, steps):
    """ms per step by op class: forward+backward under torch.profiler (self time of each op), AdamW's step()
    timed by wall clock outside the profiler; what the profiled wall time holds beyond the ops is overhead."""
    from torch.profiler import ProfilerActivity, profile as torch_profile
    model.step(ids, labels)
    classes, adam, overhead, total = {}, 0.0, 0.0, 0.0
    for _ in range(steps):
        model.optimizer.zero_grad(set_to_none=True)
        with torch_profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            start = time.perf_counter()
            loss = F.cross_entropy(model.forward(ids, True), labels)
            loss.backward()
            wall = (time.perf_counter() - start) * 1000.0
        in_ops = 0.0
        for e in prof.key_averages(group_by_input_shape=True):
            ms = e.self_cpu_time_total / 1000.0
            in_ops += ms
            cls = op_class(e.key, e.input_shapes or [])
            classes[cls] = classes.get(cls, 0.0) + ms
        overhead += max(0.0, wall - in_ops)
        t = time.perf_counter()
        model.optimizer.step()
        adam += (time.perf_counter() - t) * 1000.0
        total += wall + (time.perf_counter() - t) * 1000.0
    out = {k: v / steps for k, v in classes.items()}
    out["Adam/updater"] = adam / steps
    out["per-step overhead (outside ops)"] = overhead / steps
    return {"ops_ms_per_step": out, "step_ms": total / steps}


def blas_library():
    """The BLAS this process loaded (found in /proc/self/maps) and, for OpenBLAS, its build and chosen kernels: a
    reference (netlib) BLAS under torch makes its GEMMs several times slower, which the bench must show."""
    paths = []
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            name = fields[-1].rsplit("/", 1)[-1] if len(fields) >= 6 else ""
            if ("blas" in name or "mkl_rt" in name) and fields[-1] not in paths:
                paths.append(fields[-1])
    for path in paths:
        try:
            # a handle on the copy torch loaded, nothing loaded anew and its scope unchanged
            lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return "%s, kernels %s (%s)" % (lib.openblas_get_config().decode().split(" NO_")[0],
                                            lib.openblas_get_corename().decode(), path)
        except (OSError, AttributeError):
            continue
    if any("mkl" in p for p in paths):
        return "MKL (" + ", ".join(paths) + ")"
    return "not OpenBLAS: " + (", ".join(paths) or "no BLAS library mapped") + \
        " (a reference BLAS is unoptimized: apt-get install libopenblas0-pthread)"


def main():
    weights = read_safetensors(sys.argv[1])
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = MiniLM(weights)
    batches = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        c = cmd["cmd"]
        out = {"cmd": c}
        if c == "quit":
            break
        if c == "setup":
            with open(cmd["tokens"]) as f:
                rows = [[int(t) for t in l.split()] for l in f if l.strip()]
            ids = torch.tensor(rows, dtype=torch.long)
            labels = torch.tensor([i % 2 for i in range(len(rows))], dtype=torch.long)
            batches[cmd["seq"]] = (ids, labels)
            out.update(torch=torch.__version__, threads=torch.get_num_threads(),
                       capability=torch.backends.cpu.get_cpu_capability()
                       if hasattr(torch.backends, "cpu") and hasattr(torch.backends.cpu, "get_cpu_capability")
                       else "", blas=blas_library())
        elif c == "logits":
            ids, _ = batches[cmd["seq"]]
            with torch.no_grad():
                out["probs"] = torch.softmax(model.forward(ids, False), dim=-1).tolist()
        elif c == "train":
            ids, labels = batches[cmd["seq"]]
            s = timed(lambda: model.step(ids, labels), cmd["steps"])
            out.update(seconds=s, examples_per_sec=ids.shape[0] * cmd["steps"] / s)
        elif c == "infer":
            ids, _ = batches[cmd["seq"]]
            with torch.no_grad():
                s = timed(lambda: model.forward(ids, False, False), cmd["iters"])
            out.update(seconds=s, examples_per_sec=ids.shape[0] * cmd["iters"] / s)
        elif c == "gemm":
            flops, seconds = 0.0, 0.0
            for m, k, n in cmd["shapes"]:
                a, b = torch.randn(m, k), torch.randn(k, n)
                torch.mm(a, b)
                seconds += timed(lambda: torch.mm(a, b), cmd["reps"])
                flops += 2.0 * m * k * n * cmd["reps"]
            out.update(gflops=flops / seconds / 1e9)
        elif c == "profile":
            ids, labels = batches[cmd["seq"]]
            out.update(profile(model, ids, labels, cmd["steps"]))
        else:
            out["error"] = "unknown command " + c
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
