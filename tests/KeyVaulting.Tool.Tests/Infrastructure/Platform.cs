// The tool's tests run git and check Unix file modes (.env permissions): they run on Linux and macOS, as CI does.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
