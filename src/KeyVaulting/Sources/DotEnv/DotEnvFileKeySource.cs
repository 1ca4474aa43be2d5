using KeyVaulting.DependencyInjection.Internal;
using KeyVaulting.Diagnostics;
using KeyVaulting.Health;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Reads the key from a <c>.env</c> file, locating and re-reading the file on every fetch so that an edited, created
/// or deleted file is picked up at the next refresh. Nothing read from the file is kept between fetches, except a
/// warning about a value that is probably not a real key (never the value).
/// </summary>
internal sealed class DotEnvFileKeySource : IOpenAIKeySourceWarning
{
    public const string TypeName = "DotEnvFile";

    /// <summary>The rule a variable name follows, for error messages.</summary>
    public const string VariableNameRule = "a name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'";

    /// <summary>The fix given when the path looks like a key.</summary>
    public const string PathFix = "Give the .env file's path, for example '.env', and put the key in that file.";

    /// <summary>The fix given when the variable's name looks like a key.</summary>
    public const string VariableFix = "Give the variable's name, for example OPENAI_API_KEY, and put the key in the file: OPENAI_API_KEY=sk-….";

    private readonly string _path;
    private readonly string _variable;
    private readonly bool _searchParentDirectories;
    private readonly ILogger _logger;
    private string? _resolvedPath;
    private string? _warnedPath;
    private volatile string? _warning;

    public DotEnvFileKeySource(DotEnvFileKeySourceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException($"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Path)} is required: set it to the .env file's path.", nameof(options));
        }

        // A key given where a name is expected (every 'sk-…' key is also a valid .env name) is refused without being
        // repeated: the path and the variable make up the source's name, which goes into logs, metrics and errors.
        SecretShapedNames.ThrowIfSecretShaped(options.Path, nameof(options), $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Path)}", PathFix);
        SecretShapedNames.ThrowIfSecretShaped(options.Variable, nameof(options), $"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Variable)}", VariableFix);
        if (!DotEnvParser.IsValidName(options.Variable))
        {
            // The configured name is not repeated: a confused user may have put the key itself there.
            throw new ArgumentException($"{nameof(DotEnvFileKeySourceOptions)}.{nameof(DotEnvFileKeySourceOptions.Variable)} is not a valid .env variable name: {VariableNameRule}.", nameof(options));
        }

        _path = options.Path;
        _variable = options.Variable;
        _searchParentDirectories = options.SearchParentDirectories;
        _logger = logger;
        Name = $"{TypeName}:{_path}:{_variable}";
    }

    public string Name { get; }

    /// <summary>Gets the file whose save may change the key: the one the last fetch found, else the path in the current directory (the hook of <see cref="DotEnvFileWatcher"/>).</summary>
    internal string WatchedPath => _resolvedPath ?? Path.GetFullPath(_path, Directory.GetCurrentDirectory());
    /// <summary>Gets the warning about the value last found (a placeholder, a character no OpenAI key has), or null.</summary>
    public string? Warning => _warning;

    public ValueTask<OpenAIKeySourceResult> FetchAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string? warning = null;
        try
        {
            return new(Fetch(cancellationToken, out warning));
        }
        finally
        {
            if (warning is not null && !string.Equals(warning, _warning, StringComparison.Ordinal))
            {
                Log.DotEnvValueSuspicious(_logger, Name, warning);
            }

            _warning = warning;
        }
    }

    private OpenAIKeySourceResult Fetch(CancellationToken cancellationToken, out string? warning)
    {
        warning = null;
        var location = DotEnvFileLocator.Find(_path, _searchParentDirectories, Directory.GetCurrentDirectory());
        if (location.FullPath is not { } path)
        {
            return OpenAIKeySourceResult.NotFound(location.MissingReason!);
        }

        if (!string.Equals(_resolvedPath, path, StringComparison.Ordinal))
        {
            _resolvedPath = path;
            Log.DotEnvFileResolved(_logger, Name, path);
        }

        DotEnvAssignment? found;
        try
        {
            // A named pipe, device or socket reports a length of 0, and opening a named pipe blocks until a writer
            // appears: a path of length 0 is never opened. (An empty regular file has no key either.) A symbolic
            // link reports the length of its own text, so it is measured at its final target.
            var target = FinalTarget(path);
            if (!target.Exists)
            {
                return OpenAIKeySourceResult.NotFound($"{path} is a symbolic link to {target.FullName}, which does not exist");
            }

            if (target.Length == 0)
            {
                return OpenAIKeySourceResult.NotFound($"{path} is empty or is not a regular file (a named pipe, device or socket); it was not opened");
            }

            if (target.Length > DotEnvFileReader.MaxFileBytes)
            {
                throw DotEnvFileReader.TooLarge(path);
            }

            WarnIfReadableByOthers(path);
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0, // the reader reads the whole file in blocks of its own
                Options = FileOptions.SequentialScan,
            });
            found = DotEnvParser.Find(DotEnvFileReader.ReadText(stream, path, cancellationToken), _variable, path);
        }
        catch (DotEnvFormatException ex)
        {
            var message = ex.LineNumber > 0 ? $"{ex.Message}. Fix that line; it is not shown because it may hold a secret." : $"{ex.Message}.";
            throw new OpenAIKeySourceException(Name, message, isTransient: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return OpenAIKeySourceResult.NotFound($"{path} was removed while being read");
        }
        catch (UnauthorizedAccessException)
        {
            throw new OpenAIKeySourceException(Name, $"{path} cannot be read: permission denied. Give the application's user read access, and only that user (chmod 600 {path}).", isTransient: false);
        }
        catch (IOException ex)
        {
            throw new OpenAIKeySourceException(Name, $"{path} cannot be read: {ex.Message}", isTransient: true);
        }

        if (found is not { } assignment)
        {
            return OpenAIKeySourceResult.NotFound($"{path} does not set {_variable}");
        }

        var line = assignment.Line;
        if (string.IsNullOrWhiteSpace(assignment.Value))
        {
            return OpenAIKeySourceResult.NotFound($"{path} line {line} sets {_variable} to an empty value");
        }

        var (verdict, cause) = DotEnvValueCheck.Check(assignment);
        switch (verdict)
        {
            case DotEnvValueVerdict.Empty:
                return OpenAIKeySourceResult.NotFound($"{path} line {line} sets {_variable} {cause}");
            case DotEnvValueVerdict.Refused:
                throw new OpenAIKeySourceException(Name, $"{path} line {line}: the value of {_variable} {cause}.", isTransient: false);
            case DotEnvValueVerdict.Suspicious:
                warning = $"{path} line {line}: the value of {_variable} {cause}.";
                break;
        }

        return OpenAIKeySourceResult.Found(assignment.Value);
    }

    private static FileInfo FinalTarget(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is FileInfo target
            ? target
            : info;
    }

    private void WarnIfReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0)
        {
            _warnedPath = null; // fixed: warn again if it is ever opened up again
        }
        else if (!string.Equals(_warnedPath, path, StringComparison.Ordinal))
        {
            _warnedPath = path;
            Log.DotEnvFileTooOpen(_logger, path, Convert.ToString((int)mode, 8));
        }
    }
}
