using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// App. B.1's discriminator ensemble: copies of θ_D taken at the start of every Period-th training step (steps 0,
/// P, 2P, …, a step being one G or one D update in App. A's alternating schedule), the newest Size kept. The generator's
/// loss is the mean over these copies alone, so with P = 100 all 5 members are replaced every 500 steps, as Fig. App.2
/// counts, and between copies the generator faces discriminators up to P steps old. A copy identical to the newest
/// one (θ_D has not been updated since) is not taken again: with P = 1 the members are then the Size immediately
/// preceding distinct discriminators, the live one first (Fig. App.1). Size 1 is no ensemble: the live discriminator.
/// The copies live in fixed slots allocated once, outside any step's dispose scope, so a checkpoint always holds the
/// same tensors; <see cref="Taken"/> says which slots are filled.
/// </summary>
internal sealed class DiscriminatorHistory
{
    private readonly Tensor[][] _slots;
    private readonly int _period;

    public DiscriminatorHistory(IReadOnlyList<Tensor> discriminator, DiscriminatorEnsemble ensemble)
    {
        _period = ensemble.Period;
        using var noGrad = no_grad();
        _slots = Enumerable.Range(0, ensemble.Size > 1 ? ensemble.Size : 0)
            .Select(_ => discriminator.Select(p => zeros_like(p)).ToArray())
            .ToArray();
    }

    /// <summary>Copies taken since the run began; slot (Taken − 1) mod Size holds the newest.</summary>
    public long Taken { get; set; }

    /// <summary>The members the generator's loss averages over, newest first; empty without an ensemble.</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>> Members => Enumerable.Range(0, (int)Math.Min(Taken, _slots.Length))
        .Select(age => (IReadOnlyList<Tensor>)_slots[(int)((Taken - 1 - age) % _slots.Length)])
        .ToArray();

    /// <summary>Every slot in a fixed order, filled or not: what a checkpoint saves and restores.</summary>
    public IEnumerable<Tensor> Tensors => _slots.SelectMany(slot => slot);

    /// <summary>Called with θ_D at the start of training step <paramref name="step"/>, before any of its updates.</summary>
    public void BeforeStep(long step, IReadOnlyList<Tensor> discriminator)
    {
        if (_slots.Length == 0 || step % _period != 0)
        {
            return;
        }
        using var noGrad = no_grad();
        if (Taken > 0 && Members[0].Zip(discriminator).All(pair => pair.First.eq(pair.Second).all().item<bool>()))
        {
            return;
        }
        foreach (var (slot, live) in _slots[Taken % _slots.Length].Zip(discriminator))
        {
            slot.copy_(live);
        }
        Taken++;
    }
}
