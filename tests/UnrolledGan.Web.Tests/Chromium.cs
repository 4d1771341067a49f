using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace UnrolledGan.Web.Tests;

/// <summary>
/// Debian's chromium driven through chromium-driver (scripts/test.sh installs both), headless, with a fresh profile
/// and nothing that phones home: the machine has no network beyond its package mirrors.
/// </summary>
internal sealed class Chromium : IDisposable
{
    private const string Binary = "/usr/bin/chromium";
    private const string DriverFolder = "/usr/bin";
    private const string DriverName = "chromedriver";

    private readonly string _profile = Directory.CreateTempSubdirectory("unrolledgan-chromium-").FullName;

    public Chromium(int width, int height)
    {
        if (!File.Exists(Binary) || !File.Exists(Path.Combine(DriverFolder, DriverName)))
        {
            throw new FileNotFoundException($"install chromium and chromium-driver first (scripts/test.sh does): {Binary}, {DriverFolder}/{DriverName}");
        }
        var options = new ChromeOptions { BinaryLocation = Binary };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={_profile}", $"--window-size={width},{height}");
        // An explicit driver path: Selenium Manager would otherwise try to download one.
        var service = ChromeDriverService.CreateDefaultService(DriverFolder, DriverName);
        service.SuppressInitialDiagnosticInformation = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(1));
    }

    public ChromeDriver Driver { get; }

    public T Script<T>(string script, params object[] arguments) => (T)Driver.ExecuteScript(script, arguments)!;

    /// <summary>Waits until the condition holds, re-evaluating it against the live page; fails with the message otherwise.</summary>
    public async Task<T> WaitAsync<T>(Func<T?> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (condition() is { } value && !Equals(value, false))
                {
                    return value;
                }
            }
            catch (WebDriverException) when (DateTimeOffset.UtcNow < deadline)
            {
                // An element replaced between finding and reading it: the page redraws on each update.
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"the page never showed {what} within {timeout}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public string SaveScreenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}
