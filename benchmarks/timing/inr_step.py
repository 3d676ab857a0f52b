"""Training step of the thesis's INR model: images/s and FLOP rate against this CPU's matmul rate.

The question of issue 15: what fraction of the machine's float32 matmul rate
does one training step of the thesis-architecture model reach (encoder
784-128-128-128-66, hypernetwork 32-128-128-256-66049, generated network
256-128-128-128-1, batch 64, all 28x28 pixels, 3 rotations per image,
Adam)? Measured in one process, with the same torch threads:

* the matmul rate: a 2048 x 2048 float32 product (best of 3), before and
  after the steps;
* the training step (``training_losses`` + backward + Adam step, on rotated
  MNIST batches) with three formulations of the generated networks: the
  reference (``HyperDecoder.fused = False``, plain per-operation autograd),
  the per-operation fused one (``fused="layers"``: rotated frequencies, one
  Fourier buffer with its own backward, in-place ReLUs) and the default
  (``fused=True``: the generated networks as one autograd node with a
  hand-written backward, images in cache-sized chunks through all layers,
  buffers reused from step to step, the hypernetwork's output layer as
  ``(W @ x.T).T``), optionally also the
  per-operation one under ``torch.compile`` (``--compile``); variants
  alternate round by round, so a change of the machine's load hits all of
  them;
* optionally (``--profile STEPS``) a torch.profiler table of the default
  variant's top operations.

Process-wide allocator settings, for a separate run (never set by the
library): ``--malloc`` (glibc keeps freed blocks: no page faults on reused
memory) and ``--thp`` (torch asks for transparent huge pages for large
tensors).

Rates: images/s of the best and of the median round (wall clock), images per
CPU-second of the process, and the analytical FLOPs per image
(``6 x multiply-adds`` of encoder on 1 + 3 views, hypernetwork and generated
network on all pixels; ``benchmarks.reproduce.rotinv.train_flops_per_image``)
times the best rate, as a fraction of the best matmul rate.

Usage::

    python -m benchmarks.timing.inr_step --threads 2 --rounds 3 --steps 2 \\
        --profile 2 --out benchmarks/results/inr_step.md
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

from benchmarks._common import Report, load_rotated


def matmul_rate(torch, repeats=3):
    """Best GFLOP/s of a 2048^2 float32 matmul."""
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    a @ b
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * 2048**3 / (time.perf_counter() - t) / 1e9)
    return best


def profile_table(torch, step, batches, n_steps, emit, rows=14):
    """Emit the operations with the most self CPU time over ``n_steps`` steps."""
    from torch.profiler import ProfilerActivity, profile

    step(batches[0])
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for i in range(n_steps):
            step(batches[1 + i % (len(batches) - 1)])
    events = prof.key_averages(group_by_input_shape=True)
    total = sum(e.self_cpu_time_total for e in events)
    emit(f"Profile of the default variant (torch.profiler, {n_steps} steps; self CPU "
         "time: of each operation without its children, on the calling thread; the "
         f"profiler slows the step): {total / 1e3 / n_steps:.0f} ms per step in all, "
         "top operations:")
    emit()
    emit("| operation | input shapes | calls per step | self CPU ms per step | share |")
    emit("| --- | --- | --- | --- | --- |")
    for e in sorted(events, key=lambda e: -e.self_cpu_time_total)[:rows]:
        shapes = ", ".join(str(list(s)) for s in e.input_shapes if s)
        emit(f"| {e.key} | {shapes} | {e.count / n_steps:g} "
             f"| {e.self_cpu_time_total / 1e3 / n_steps:.1f} "
             f"| {e.self_cpu_time_total / total:.1%} |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=3, help="timed steps per variant and round")
    p.add_argument("--compile", action="store_true", help="also time torch.compile")
    p.add_argument("--malloc", action="store_true",
                   help="glibc: no mmap per large tensor (process-wide, set here only)")
    p.add_argument("--thp", action="store_true",
                   help="torch: transparent huge pages for large tensors "
                        "(THP_MEM_ALLOC_ENABLE=1, set here only)")
    p.add_argument("--profile", type=int, default=0, metavar="STEPS",
                   help="also profile this many steps of the default variant "
                        "(torch.profiler, after the timed rounds) and list the top operations")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    malloc = False
    if args.malloc:
        from benchmarks.reproduce.rotinv_thesis_training import no_mmap_malloc

        malloc = no_mmap_malloc()
    if args.thp:
        if "torch" in sys.modules:
            raise RuntimeError("--thp must be set before torch is imported")
        os.environ["THP_MEM_ALLOC_ENABLE"] = "1"

    import torch

    from benchmarks.reproduce.rotinv import train_flops_per_image
    from sklearn_specclust.inr import RotInvINREncoder
    from sklearn_specclust.inr._presets import PRESETS
    from sklearn_specclust.inr._torch_model import training_losses

    torch.set_num_threads(args.threads)
    X, _ = load_rotated("mnist", 64 * 8, 0)
    enc = RotInvINREncoder(**PRESETS["kwon-thesis"].encoder, max_epochs=1, random_state=0)
    enc.fit(X[:64])  # builds the module and its Adam state
    model, opt = enc.module_, enc._optimizer
    model.train()
    batches = enc._to_tensor(X[:, :, :, None]).split(64)
    flops = train_flops_per_image(enc)
    gen = torch.Generator().manual_seed(0)
    w = (enc.angle_weight, enc.consistency_weight, enc.reconstruction_weight)
    forward = model.decoder.forward

    def step(batch):
        losses = training_losses(model, batch, n_rotations=enc.n_rotations,
                                 angle_target=enc.angle_target, n_coords=None,
                                 generator=gen)
        total = sum(a * b for a, b in zip(w, losses))
        opt.zero_grad()
        total.backward()
        opt.step()

    variants = {
        "reference (fused=False)": (False, None),
        'per-operation fused (fused="layers")': ("layers", None),
        "one autograd node (fused=True, default)": (True, None),
    }
    compile_s = None
    if args.compile:
        compiled = torch.compile(forward, dynamic=False)
        variants['fused="layers" + torch.compile'] = ("layers", compiled)

    def use(fused, fn):
        model.decoder.fused = fused
        if fn is None:
            model.decoder.__dict__.pop("forward", None)
        else:
            model.decoder.forward = fn

    if args.compile:
        use("layers", compiled)
        t = time.perf_counter()
        step(batches[0])
        compile_s = time.perf_counter() - t

    mm = [matmul_rate(torch)]
    walls = {k: [] for k in variants}
    cpus = {k: [] for k in variants}
    for r in range(args.rounds):
        for name, (fused, fn) in variants.items():
            use(fused, fn)
            step(batches[0])  # warm-up of this variant
            t, c = time.perf_counter(), time.process_time()
            for i in range(args.steps):
                step(batches[1 + (r * args.steps + i) % (len(batches) - 1)])
            walls[name].append(64 * args.steps / (time.perf_counter() - t))
            cpus[name].append(64 * args.steps / (time.process_time() - c))
        print(f"round {r + 1}: " + ", ".join(
            f"{k} {v[-1]:.1f} img/s" for k, v in walls.items()), flush=True)
    mm.append(matmul_rate(torch))
    use(True, None)
    gf = max(mm)
    report = Report("Thesis INR training step: images/s and fraction of the matmul rate",
                    "wall clock and process CPU time on a shared 2-core machine; "
                    "variants alternate round by round")
    emit = report.emit
    thp = os.environ.get("THP_MEM_ALLOC_ENABLE", "unset")
    emit(f"torch {torch.__version__}, threads {torch.get_num_threads()}; glibc no-mmap "
         f"setting: {malloc}; THP_MEM_ALLOC_ENABLE: {thp}; batch 64, 28x28, 3 rotations; "
         f"{args.rounds} rounds of "
         f"{args.steps} steps per variant.")
    emit(f"Matmul (2048^2 float32, best of 3) before / after the steps: {mm[0]:.1f} / "
         f"{mm[1]:.1f} GFLOP/s. Analytical work per training image: "
         f"{flops / 1e9:.3f} GFLOP (forward + backward).")
    if compile_s is not None:
        emit(f"torch.compile: first step (compilation) {compile_s:.1f} s.")
    emit()
    emit("| step | images/s best | images/s median | images per CPU-s (median) "
         "| GFLOP/s (best) | fraction of matmul rate | speed-up vs reference (median) |")
    emit("| --- | --- | --- | --- | --- | --- | --- |")
    ref = statistics.median(walls["reference (fused=False)"])
    for name in variants:
        best, med = max(walls[name]), statistics.median(walls[name])
        emit(f"| {name} | {best:.1f} | {med:.1f} | {statistics.median(cpus[name]):.1f} "
             f"| {best * flops / 1e9:.1f} | {best * flops / 1e9 / gf:.2f} "
             f"| {med / ref:.2f} |")
    emit()
    emit("Per round (images/s): " + "; ".join(
        f"{k}: " + ", ".join(f"{v:.0f}" for v in vals) for k, vals in walls.items()))
    if args.profile:
        emit()
        profile_table(torch, step, batches, args.profile, emit)
    report.save(args.out)
    return np.array([max(v) for v in walls.values()])


if __name__ == "__main__":
    main()
