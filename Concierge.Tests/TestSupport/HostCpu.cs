namespace Concierge.Tests.TestSupport;

/// <summary>Facts about the CPU the tests run on, for behaviour that KVM defines per vendor.</summary>
public static class HostCpu
{
    /// <summary>Whether the CPU is AMD's (KVM's SVM side, as in the sandbox), from /proc/cpuinfo.</summary>
    public static bool IsAmd { get; } =
        File.ReadLines("/proc/cpuinfo").Any(line => line.StartsWith("vendor_id", StringComparison.Ordinal) && line.EndsWith("AuthenticAMD", StringComparison.Ordinal));
}
