using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Tests;

public sealed class BoundedLineReaderTests
{
    [Fact]
    public async Task LinesUpToTheLimitArriveWholeAndALongerOneIsSkippedToItsEnd()
    {
        string huge = new('x', 100_000);
        var reader = new BoundedLineReader(new StringReader($"first\r\n{huge}\nthird\n{new string('y', 10)}\nlast"), maxLength: 10);

        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe(("first", false));
        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe((null, true));
        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe(("third", false));
        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe(("yyyyyyyyyy", false));
        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe(("last", false));
        (await reader.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe((null, false));
    }
}
