using KeyVaulting.Samples.Console;

namespace KeyVaulting.Samples.Tests.Infrastructure;

/// <summary>
/// The ASP.NET sample in Development, as a developer runs it: the key in a <c>.env</c> file (here a temporary one with
/// a generated fake key) and an OpenAI-compatible endpoint (here the console sample's offline endpoint on 127.0.0.1).
/// </summary>
internal sealed class DevelopmentSample : IAsyncDisposable
{
    private readonly DirectoryInfo _folder;

    private DevelopmentSample(DirectoryInfo folder, OfflineOpenAIServer openAI, IReadOnlyDictionary<string, string?>? overrides)
    {
        _folder = folder;
        OpenAI = openAI;
        DotEnvPath = Path.Combine(folder.FullName, ".env");
        var settings = new Dictionary<string, string?>
        {
            ["KeyVaulting:Sources:DotEnv:Path"] = DotEnvPath,
            ["OpenAI:Endpoint"] = openAI.Endpoint.ToString(),
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        App = new AspNetSampleFactory("Development", settings);
    }

    public OfflineOpenAIServer OpenAI { get; }

    public AspNetSampleFactory App { get; }

    public string DotEnvPath { get; }

    /// <summary>Starts the endpoint, writes <paramref name="key"/> to the <c>.env</c> file and lets the endpoint accept it.</summary>
    /// <param name="key">The key to write to the <c>.env</c> file.</param>
    /// <param name="overrides">Settings that replace the sample's (and the two above).</param>
    public static async Task<DevelopmentSample> StartAsync(string key, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var sample = new DevelopmentSample(Directory.CreateTempSubdirectory("keyvaulting-aspnet-sample-"), await OfflineOpenAIServer.StartAsync(), overrides);
        sample.OpenAI.Allow(key);
        sample.WriteDotEnv(key);
        return sample;
    }

    /// <summary>Replaces the <c>.env</c> file in one step, as an editor or a deploy tool does.</summary>
    public void WriteDotEnv(string key)
    {
        var temporary = DotEnvPath + ".tmp";
        File.WriteAllText(temporary, $"OPENAI_API_KEY={key}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, DotEnvPath, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await OpenAI.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
