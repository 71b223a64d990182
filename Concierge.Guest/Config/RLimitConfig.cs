namespace Concierge.Guest.Config;

/// <summary>One resource limit: the name as in prlimit(1) ("nofile", "nproc", ...), soft and hard values.</summary>
internal sealed record RLimitConfig(string Resource, ulong Soft, ulong Hard);
