namespace UnrolledGan.Web.Tests;

/// <summary>The login link and the session it gives: once, briefly, for this silo's lifetime only, and only to its own pages.</summary>
public sealed class WebLoginsTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void ALoginCodeLandsOnItsPageOnceAndNotAfterItExpires()
    {
        var clock = new Clock();
        var logins = new WebLogins(clock);

        var (code, expiresAt) = logins.Issue("/sweeps/quick-mixture");
        var (late, _) = logins.Issue("/sweeps/");

        expiresAt.ShouldBe(clock.Now + WebLogins.CodeLifetime);
        logins.Redeem(code).ShouldBe("/sweeps/quick-mixture");
        logins.Redeem(code).ShouldBeNull("used already");
        logins.Redeem("made-up").ShouldBeNull();
        logins.Redeem(null).ShouldBeNull();
        clock.Now += WebLogins.CodeLifetime;
        logins.Redeem(late).ShouldBeNull("expired");
    }

    [Fact]
    public void ASessionHoldsUntilItExpiresAndOnlyForTheProcessThatSignedIt()
    {
        var clock = new Clock();
        var logins = new WebLogins(clock);
        var (session, expiresAt) = logins.NewSession();

        expiresAt.ShouldBe(clock.Now + WebLogins.SessionLifetime);
        logins.IsSession(session).ShouldBeTrue();
        // Another silo, or this one restarted, signs with another key.
        new WebLogins(clock).IsSession(session).ShouldBeFalse();
        // A later expiry written by hand does not carry the signature.
        string[] parts = session.Split('.');
        logins.IsSession($"{long.Parse(parts[0]) + 86_400}.{parts[1]}").ShouldBeFalse();
        logins.IsSession($"{parts[0]}.{parts[1][..^2]}AA").ShouldBeFalse();
        foreach (string? forged in new[] { null, "", ".", "1.", parts[1], $"-1.{parts[1]}" })
        {
            logins.IsSession(forged).ShouldBeFalse(forged);
        }
        clock.Now = expiresAt;
        logins.IsSession(session).ShouldBeFalse("expired");
    }

    [Theory]
    [InlineData("/sweeps/", true)]
    [InlineData("/sweeps/quick-mixture", true)]
    [InlineData("/dashboard/", true)]
    [InlineData("//evil.example/sweeps/", false)]
    [InlineData("http://evil.example/", false)]
    [InlineData("/sweeps/../dashboard/", false)]
    [InlineData("/sweeps/a/b", false)]
    [InlineData("/sweeps/api/login?code=x", false)]
    [InlineData("/sweeps/%2e%2e", false)]
    [InlineData("/sweeps/\\evil.example", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void ALoginLandsOnlyOnTheSilosOwnPages(string? page, bool allowed)
    {
        WebLogins.IsLandingPage(page).ShouldBe(allowed);
        if (!allowed)
        {
            Should.Throw<ArgumentException>(() => new WebLogins().Issue(page!));
        }
    }

    [Fact]
    public void TwoSilosOnOneHostKeepTheirSessionsApart() =>
        WebLogins.CookieName(8080).ShouldNotBe(WebLogins.CookieName(8081));
}
