using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using Perfolizer.Metrology;

namespace KeyVaulting.Benchmarks.Infrastructure;

/// <summary>Shows the Allocated column in bytes, not rounded to 0.01 KB: per-request differences are a few bytes.</summary>
internal sealed class AllocatedInBytesConfig : ManualConfig
{
    public AllocatedInBytesConfig() => SummaryStyle = SummaryStyle.Default.WithSizeUnit(SizeUnit.B);
}
