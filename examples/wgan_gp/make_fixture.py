#!/usr/bin/python3
"""Writes a WGAN-GP critic step computed by PyTorch in float64, for `wgan_gp --fixture`.

Usage: make_fixture.py out.json [seed]
The critic is Linear(3,16) - tanh - Linear(16,16) - leaky_relu(0.2) - Linear(16,1); the
penalty is Gulrajani et al.'s: lambda * mean((||grad_x D(x_hat)||_2 - 1)^2), its gradient taken
with torch.autograd.grad(create_graph=True). Weights are written as [in, out] (xgrad's layout).
"""
import json
import sys

import torch


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    torch.manual_seed(seed)
    dt = torch.float64
    layers = [torch.nn.Linear(3, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 1)]
    for layer in layers:
        layer.to(dt)

    def critic(x):
        h = torch.tanh(layers[0](x))
        h = torch.nn.functional.leaky_relu(layers[1](h), 0.2)
        return layers[2](h)

    real = 1.0 + 0.5 * torch.randn(8, 3, dtype=dt)
    fake = torch.randn(8, 3, dtype=dt)
    eps = torch.rand(8, 1, dtype=dt)
    lam = 10.0
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    g, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((g.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(fake).mean() - critic(real).mean() + lam * penalty
    loss.backward()

    names = ["w1", "b1", "w2", "b2", "w3", "b3"]
    params, grads = {}, {}
    for i, layer in enumerate(layers):
        params[names[2 * i]] = layer.weight.detach().t().tolist()
        params[names[2 * i + 1]] = layer.bias.detach().tolist()
        grads[names[2 * i]] = layer.weight.grad.t().tolist()
        grads[names[2 * i + 1]] = layer.bias.grad.tolist()
    fixture = {
        "torch_version": torch.__version__,
        "lambda": lam,
        "real": real.tolist(),
        "fake": fake.tolist(),
        "eps": eps.tolist(),
        "params": params,
        "expected": {"penalty": penalty.item(), "loss": loss.item(), "grads": grads},
    }
    with open(out, "w") as f:
        json.dump(fixture, f)


if __name__ == "__main__":
    main()
