using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// The frozen members of App. B.1's discriminator ensemble: copies of θ_D taken just before every Period-th
/// discriminator update, the newest Size − 1 kept. The copies live in fixed slots allocated once, outside any step's
/// dispose scope, so a checkpoint always holds the same tensors; <see cref="Taken"/> says which slots are filled.
/// </summary>
internal sealed class DiscriminatorHistory
{
    private readonly Tensor[][] _slots;
    private readonly int _period;

    public DiscriminatorHistory(IReadOnlyList<Tensor> discriminator, DiscriminatorEnsemble ensemble)
    {
        _period = ensemble.Period;
        using var noGrad = no_grad();
        _slots = Enumerable.Range(0, ensemble.Size - 1)
            .Select(_ => discriminator.Select(p => zeros_like(p)).ToArray())
            .ToArray();
    }

    /// <summary>Copies taken since the run began; slot (Taken − 1) mod capacity holds the newest.</summary>
    public long Taken { get; set; }

    /// <summary>The frozen members, newest first.</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>> Members => Enumerable.Range(0, (int)Math.Min(Taken, _slots.Length))
        .Select(age => (IReadOnlyList<Tensor>)_slots[(int)((Taken - 1 - age) % _slots.Length)])
        .ToArray();

    /// <summary>Every slot in a fixed order, filled or not: what a checkpoint saves and restores.</summary>
    public IEnumerable<Tensor> Tensors => _slots.SelectMany(slot => slot);

    /// <summary>Called with θ_D just before the discriminator's update number <paramref name="updatesSoFar"/> + 1.</summary>
    public void BeforeUpdate(IReadOnlyList<Tensor> discriminator, long updatesSoFar)
    {
        if (_slots.Length == 0 || updatesSoFar % _period != 0)
        {
            return;
        }
        using var noGrad = no_grad();
        foreach (var (slot, live) in _slots[Taken % _slots.Length].Zip(discriminator))
        {
            slot.copy_(live);
        }
        Taken++;
    }
}
