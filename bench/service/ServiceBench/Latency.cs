using System.Diagnostics;
using System.Globalization;

namespace Concierge.Bench.Service;

/// <summary>Median and p95 of sequential calls (one outstanding).</summary>
internal sealed record Latency(int Calls, double P50Us, double P95Us)
{
    public static async Task<double> TimeAsync(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }

    /// <summary>Times <paramref name="a"/> and <paramref name="b"/> call by call in turn, so load changes hit both alike.</summary>
    public static async Task<(Latency A, Latency B)> MeasurePairAsync(Func<Task> a, Func<Task> b, int count)
    {
        for (var i = 0; i < (count / 10) + 50; i++)
        {
            await a();
            await b();
        }
        var samplesA = new double[count];
        var samplesB = new double[count];
        for (var i = 0; i < count; i++)
        {
            samplesA[i] = await TimeAsync(a);
            samplesB[i] = await TimeAsync(b);
        }
        return (FromSamples(samplesA), FromSamples(samplesB));
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
