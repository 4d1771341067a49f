"""The 2-D mixture unrolled GAN in plain PyTorch, as a speed reference for UnrolledGan's trainer (issue 11).

Written from the paper (Metz et al. 2017, §2.2 and App. A) and the trainer's presets, sharing no code with it: the same
networks, schedule, losses and functional Adam unroll as `UnrolledGan.Trainer benchmark --preset paper|notebook`,
in the way a PyTorch user would write them: an nn.Module generator, a discriminator called on an explicit weight
list, torch.autograd.grad with create_graph for each unrolled step. One thread; run with OPENBLAS_NUM_THREADS=1.

Prints the columns of the trainer's benchmark: steps/s per K, process CPU milliseconds per step, and the "quiet"
steps/s over the fastest tenth of the schedule's cycles.
"""

import argparse
import math
import sys
import time

import torch
import torch.nn.functional as F

# The trainer's presets (src/Trainer/UnrolledGan.Trainer.Abstractions/Presets.cs); both use batch 512, noise 256,
# 128 hidden units, 8 modes of std 0.02 on a circle of radius 2, Adam with beta1 0.5, beta2 0.999, eps 1e-8.
PRESETS = {
    # App. A: relu, a 1-layer discriminator on input scaled by 1/4, gain 0.8, lr 1e-4 for both, one G or one D
    # update per step, alternating (D first).
    "paper": dict(activation="relu", generator_layers=2, discriminator_layers=1, input_scale=0.25, gain=0.8,
                  generator_lr=1e-4, discriminator_lr=1e-4, simultaneous=False),
    # The reference notebook: tanh, a 2-layer discriminator, gain 1.4, G lr 1e-3, D lr 1e-4, both updated every
    # step from the same parameters.
    "notebook": dict(activation="tanh", generator_layers=2, discriminator_layers=2, input_scale=1.0, gain=1.4,
                     generator_lr=1e-3, discriminator_lr=1e-4, simultaneous=True),
}
BATCH = 512
NOISE = 256
HIDDEN = 128
MODES = 8
RADIUS = 2.0
STD = 0.02
BETA1, BETA2, EPS = 0.5, 0.999, 1e-8
# Below this the second moment's sqrt would have an infinite derivative (a dead relu's weight); the trainer clamps too.
SECOND_MOMENT_FLOOR = 1e-30
MINIMUM_WARMUP_SECONDS = 2.0


def activate(x, activation):
    return torch.relu(x) if activation == "relu" else torch.tanh(x)


class Generator(torch.nn.Module):
    def __init__(self, layers, activation, gain):
        super().__init__()
        sizes = [NOISE] + [HIDDEN] * layers
        self.hidden = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.output = torch.nn.Linear(HIDDEN, 2)
        self.activation = activation
        with torch.no_grad():
            for layer in list(self.hidden) + [self.output]:
                torch.nn.init.orthogonal_(layer.weight, gain)
                torch.nn.init.zeros_(layer.bias)

    def forward(self, z):
        for layer in self.hidden:
            z = activate(layer(z), self.activation)
        return self.output(z)


def discriminator_weights(layers, gain):
    weights = []
    sizes = [2] + [HIDDEN] * layers + [1]
    for inputs, outputs in zip(sizes, sizes[1:]):
        weight = torch.empty(outputs, inputs)
        torch.nn.init.orthogonal_(weight, gain)
        weights += [weight.requires_grad_(), torch.zeros(outputs, requires_grad=True)]
    return weights


def discriminator(x, weights, activation, input_scale):
    h = x * input_scale if input_scale != 1.0 else x
    for i in range(0, len(weights) - 2, 2):
        h = activate(F.linear(h, weights[i], weights[i + 1]), activation)
    return F.linear(h, weights[-2], weights[-1]).squeeze(1)


def discriminator_loss(real_logits, fake_logits):
    # −f of Eq. 4 on logits: −log σ(r) − log(1 − σ(f)).
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


class Adam:
    """Adam as a pure function of (params, grads, state), so K steps can be differentiated through (Eq. 7)."""

    def __init__(self, params, lr):
        self.lr = lr
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads, m, v, t):
        t += 1
        step_size = self.lr / (1 - BETA1 ** t)
        bias_correction2_sqrt = math.sqrt(1 - BETA2 ** t)
        new_params, new_m, new_v = [], [], []
        for p, g, m_i, v_i in zip(params, grads, m, v):
            m_i = m_i * BETA1 + g * (1 - BETA1)
            v_i = v_i * BETA2 + g * g * (1 - BETA2)
            denominator = v_i.clamp_min(SECOND_MOMENT_FLOOR).sqrt() / bias_correction2_sqrt + EPS
            new_params.append(p - m_i / denominator * step_size)
            new_m.append(m_i)
            new_v.append(v_i)
        return new_params, new_m, new_v, t

    def apply(self, params, grads):
        with torch.no_grad():
            new_params, self.m, self.v, self.t = self.step(params, grads, self.m, self.v, self.t)
            for p, new in zip(params, new_params):
                p.copy_(new)


class UnrolledGan:
    def __init__(self, preset, unroll, seed):
        self.p = PRESETS[preset]
        self.unroll = unroll
        torch.manual_seed(seed)
        self.generator = Generator(self.p["generator_layers"], self.p["activation"], self.p["gain"])
        self.d_weights = discriminator_weights(self.p["discriminator_layers"], self.p["gain"])
        self.g_params = list(self.generator.parameters())
        self.g_adam = Adam(self.g_params, self.p["generator_lr"])
        self.d_adam = Adam(self.d_weights, self.p["discriminator_lr"])
        angles = torch.arange(MODES, dtype=torch.float32) * (2 * math.pi / MODES)
        self.centers = torch.stack([RADIUS * angles.cos(), RADIUS * angles.sin()], dim=1)
        self.random = torch.Generator().manual_seed(seed)

    def D(self, x, weights):
        return discriminator(x, weights, self.p["activation"], self.p["input_scale"])

    def sample(self):
        modes = torch.randint(MODES, (BATCH,), generator=self.random)
        real = self.centers[modes] + torch.randn(BATCH, 2, generator=self.random) * STD
        return real, torch.randn(BATCH, NOISE, generator=self.random)

    def generator_gradients(self, real, noise):
        """d f_K / d θ_G through K functional Adam steps of D (Eq. 10, 12); also d(−f)/d θ_D, the first step's."""
        fake = self.generator(noise)
        weights, m, v, t = list(self.d_weights), self.d_adam.m, self.d_adam.v, self.d_adam.t
        d_grads = None
        for k in range(self.unroll):
            loss = discriminator_loss(self.D(real, weights), self.D(fake, weights))
            grads = torch.autograd.grad(loss, weights, create_graph=True)
            if k == 0:
                d_grads = [g.detach() for g in grads]
            weights, m, v, t = self.d_adam.step(weights, grads, m, v, t)
        real_logits, fake_logits = self.D(real, weights), self.D(fake, weights)
        if d_grads is None and self.p["simultaneous"]:
            # K = 0: D's own gradient comes from the same logits.
            d_grads = [g.detach() for g in torch.autograd.grad(discriminator_loss(real_logits, fake_logits),
                                                               weights, retain_graph=True)]
        # Minimax: G minimizes f = −L_D at θ_D^K.
        g_loss = -discriminator_loss(real_logits, fake_logits)
        return torch.autograd.grad(g_loss, self.g_params), fake.detach(), d_grads

    def discriminator_gradients(self, real, fake):
        loss = discriminator_loss(self.D(real, self.d_weights), self.D(fake, self.d_weights))
        return torch.autograd.grad(loss, self.d_weights)

    def train_step(self, step):
        real, noise = self.sample()
        if self.p["simultaneous"]:
            g_grads, _, d_grads = self.generator_gradients(real, noise)
            self.g_adam.apply(self.g_params, g_grads)
            self.d_adam.apply(self.d_weights, d_grads)
        elif step % 2 == 0:
            with torch.no_grad():
                fake = self.generator(noise)
            self.d_adam.apply(self.d_weights, self.discriminator_gradients(real, fake))
        else:
            g_grads, _, _ = self.generator_gradients(real, noise)
            self.g_adam.apply(self.g_params, g_grads)


def timing(preset, unroll, warmup, timed, seed):
    """Steps/s of wall time, process CPU ms per step, and the rate over the fastest tenth of the schedule's cycles."""
    gan = UnrolledGan(preset, unroll, seed)
    # The same warm-up rule as the trainer's benchmark (at least 2 s, for .NET's tiered JIT there).
    step, started = 0, time.perf_counter()
    while step < warmup or time.perf_counter() - started < MINIMUM_WARMUP_SECONDS:
        gan.train_step(step)
        step += 1
    warmup = step
    cycle = 1 if PRESETS[preset]["simultaneous"] else 2
    cycles = []
    wall, cpu = time.perf_counter(), time.process_time()
    cycle_started = wall
    for step in range(warmup, warmup + timed):
        gan.train_step(step)
        if (step - warmup + 1) % cycle == 0:
            now = time.perf_counter()
            cycles.append(now - cycle_started)
            cycle_started = now
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cycles.sort()
    quiet = cycle / cycles[max(0, len(cycles) // 10 - 1)] if cycles else float("nan")
    return timed / wall, 1000 * cpu / timed, quiet


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="paper")
    parser.add_argument("--unrolls", default="0,1,5,10")
    parser.add_argument("--warmup-steps", type=int, default=30)
    parser.add_argument("--timed-steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        unrolls = [int(k) for k in args.unrolls.split(",")]
        if any(k < 0 for k in unrolls):
            raise ValueError
    except ValueError:
        print(f"error: --unrolls: expected comma-separated integers >= 0, got '{args.unrolls}'", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    print(f"pytorch reference: mixture-of-gaussians ({args.preset} preset), batch {BATCH}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} thread(s)")
    print(f"{'K':>4} {'steps/s':>10} {'cpu ms/step':>12} {'quiet steps/s':>14}")
    for k in unrolls:
        rate, cpu_ms, quiet = timing(args.preset, k, args.warmup_steps, args.timed_steps, args.seed)
        print(f"{k:>4} {rate:>10.1f} {cpu_ms:>12.2f} {quiet:>14.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
