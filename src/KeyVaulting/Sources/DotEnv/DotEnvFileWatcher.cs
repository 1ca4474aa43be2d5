using KeyVaulting.Diagnostics;
using KeyVaulting.Provider.Internal;
using Microsoft.Extensions.Logging;

namespace KeyVaulting.Sources.DotEnv;

/// <summary>
/// Watches the <c>.env</c> file of a <see cref="DotEnvFileKeySource"/> so that a save reaches the provider at once
/// instead of at the next refresh.
/// </summary>
/// <remarks>
/// <para>
/// It watches the file's directory for that one name, so that every way an editor saves is seen: written in place,
/// truncated and rewritten, written to a temporary file and renamed over it, or the old file renamed away first (a
/// rename is seen as the name appearing). Events are debounced: the first one of a burst arms a
/// <see cref="Debounce"/> timer on the provider's clock, and the burst makes one read when it fires (a read already
/// running is followed by one more). At most one read per <see cref="Debounce"/> comes from the watcher.
/// </para>
/// <para>
/// Polling stays the fallback: when the directory does not exist, the operating system refuses a watch (the limit of
/// inotify watches, say) or the watcher reports an error (its buffer overflowed, the directory was removed), the
/// periodic refresh picks the change up, and watching is tried again after the next read. A symbolic link is
/// watched as a name in its directory: replacing the link is seen at once, editing the file it points to at the next
/// refresh.
/// </para>
/// </remarks>
internal sealed class DotEnvFileWatcher : IKeySourceWatcher
{
    /// <summary>How long after the first event of a burst the file is read.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);

    private readonly DotEnvFileKeySource _source;
    private readonly Action _changed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private FileSystemWatcher? _watcher;
    private string? _watchedPath;
    private string? _refusedPath;
    private ITimer? _timer;
    private bool _armed;
    private bool _broken;
    private bool _disposed;

    public DotEnvFileWatcher(DotEnvFileKeySource source, Action changed, TimeProvider time, ILogger logger)
    {
        _source = source;
        _changed = changed;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets a value indicating whether a file is being watched now; for tests.</summary>
    internal bool IsWatching
    {
        get
        {
            lock (_gate)
            {
                return _watcher is not null && !_broken;
            }
        }
    }

    /// <summary>Gets a value indicating whether the watcher is disposed; for tests.</summary>
    internal bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    public void Update()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var path = _source.WatchedPath;
            if (_watcher is not null && !_broken && string.Equals(path, _watchedPath, StringComparison.Ordinal))
            {
                return;
            }

            StopWatchingLocked();
            _watchedPath = path;
            var directory = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            {
                Refused(path, $"the directory {directory} does not exist");
                return;
            }

            FileSystemWatcher? watcher = null;
            try
            {
                watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += OnChanged;
                watcher.Created += OnChanged;
                watcher.Deleted += OnChanged;
                watcher.Renamed += OnChanged;
                watcher.Error += OnError;
                watcher.EnableRaisingEvents = true;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                watcher?.Dispose();
                Refused(path, ex.Message);
                return;
            }

            _watcher = watcher;
            _refusedPath = null;
            Log.WatchingFile(_logger, _source.Name, path);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            StopWatchingLocked();
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Refused(string path, string reason)
    {
        // Once per path: a directory that does not exist yet is tried again after every read, quietly.
        if (!string.Equals(_refusedPath, path, StringComparison.Ordinal))
        {
            _refusedPath = path;
            Log.CannotWatchFile(_logger, _source.Name, path, reason);
        }
    }

    private void StopWatchingLocked()
    {
        if (_watcher is { } watcher)
        {
            _watcher = null;
            watcher.EnableRaisingEvents = false;
            watcher.Changed -= OnChanged;
            watcher.Created -= OnChanged;
            watcher.Deleted -= OnChanged;
            watcher.Renamed -= OnChanged;
            watcher.Error -= OnError;
            watcher.Dispose();
        }

        _broken = false;
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Arm(sender);

    private void OnError(object sender, ErrorEventArgs e)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(sender, _watcher))
            {
                return;
            }

            // Not disposed here, on the watcher's own thread: the next read's Update replaces it. Events may have been
            // lost, so the file is read now as well.
            _broken = true;
        }

        Arm(sender);
    }

    private void Arm(object sender)
    {
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(sender, _watcher) || _armed)
            {
                return;
            }

            _armed = true;
            if (_timer is null)
            {
                _timer = _time.CreateTimer(static state => ((DotEnvFileWatcher)state!).Fire(), this, Debounce, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Fire()
    {
        string? path;
        lock (_gate)
        {
            _armed = false;
            if (_disposed)
            {
                return;
            }

            path = _watchedPath;
        }

        Log.WatchedFileChanged(_logger, _source.Name, path ?? _source.Name);
        _changed();
    }
}
