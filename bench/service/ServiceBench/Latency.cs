using System.Diagnostics;
using System.Globalization;

namespace Concierge.Bench.Service;

/// <summary>Median and p95 of sequential calls (one outstanding), after a warm-up.</summary>
internal sealed record Latency(int Calls, double P50Us, double P95Us)
{
    public static async Task<Latency> MeasureAsync(Func<Task> call, int count)
    {
        for (var i = 0; i < (count / 10) + 50; i++)
        {
            await call();
        }
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        return FromSamples(samples);
    }

    public static Latency FromSamples(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return new Latency(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95));
    }

    public string P50 => P50Us.ToString("F0", CultureInfo.InvariantCulture);

    public string P95 => P95Us.ToString("F0", CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
