using System.Text;
using KeyVaulting.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>Reads the key from a <c>.env</c> file, re-reading the file on every fetch so that edits are picked up.</summary>
internal sealed class DotEnvFileKeySource : IOpenAIKeySource
{
    public const string TypeName = "DotEnvFile";

    private readonly DotEnvFileKeySourceOptions _options;
    private readonly ILogger _logger;
    private string? _warnedPath;

    public DotEnvFileKeySource(DotEnvFileKeySourceOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        Name = $"{TypeName}:{options.Path}:{options.Variable}";
    }

    public string Name { get; }

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        var path = DotEnvFileLocator.Find(_options.Path, _options.SearchParentDirectories);
        if (path is null)
        {
            return new(OpenAIKeySourceResult.NotFound(DotEnvFileLocator.DescribeMissing(_options.Path, _options.SearchParentDirectories)));
        }

        WarnIfReadableByOthers(path);

        string? value;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            value = DotEnvParser.FindValue(reader, _options.Variable, path);
        }
        catch (DotEnvFormatException ex)
        {
            throw new OpenAIKeySourceException(Name, $"{ex.Message}. Fix that line (its content is not shown: it may hold a secret).", isTransient: false, innerException: null);
        }
        catch (FileNotFoundException)
        {
            return new(OpenAIKeySourceResult.NotFound($"{path} was removed while being read"));
        }
        catch (UnauthorizedAccessException)
        {
            throw new OpenAIKeySourceException(Name, $"{path} cannot be read: permission denied. Give the application's user read access (and only that user: chmod 600).", isTransient: false);
        }
        catch (IOException ex)
        {
            throw new OpenAIKeySourceException(Name, $"{path} cannot be read: {ex.GetType().Name}.", isTransient: true);
        }

        if (value is null)
        {
            return new(OpenAIKeySourceResult.NotFound($"{path} does not set {_options.Variable}"));
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return new(OpenAIKeySourceResult.NotFound($"{path} sets {_options.Variable} to an empty value"));
        }

        return new(OpenAIKeySourceResult.Found(value));
    }

    private void WarnIfReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows() || string.Equals(_warnedPath, path, StringComparison.Ordinal))
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            _warnedPath = path;
            Log.DotEnvFileTooOpen(_logger, path, Convert.ToString((int)mode, 8));
        }
    }
}
