namespace Concierge.Guest.Config;

/// <summary>
/// How the app's container is built (the role Minijail plays in Crostini): the root file
/// system to pivot into, its host name, who the app runs as, the capabilities it keeps and
/// its resource limits.
/// Properties are settable, not init-only: the JSON source generator would reset init-only
/// properties missing from the file to null instead of keeping their defaults.
/// </summary>
internal sealed record ContainerConfig
{
    /// <summary>Directory holding the container's root file system (checked when the container starts: it may be on a disk mounted later).</summary>
    public string RootFs { get; set; } = "";

    public string Hostname { get; set; } = "container";

    public uint Uid { get; set; }

    public uint Gid { get; set; }

    /// <summary>Working directory inside the container.</summary>
    public string WorkingDirectory { get; set; } = "/";

    /// <summary>The app's whole environment, "NAME=value".</summary>
    public string[] Env { get; set; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"];

    /// <summary>Capabilities kept ("CAP_SYS_ADMIN"); everything else is dropped, bounding set included.</summary>
    public string[] Capabilities { get; set; } = [];

    public RLimitConfig[] Rlimits { get; set; } = [];

    /// <summary>Throws a <see cref="ConfigException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (!Path.IsPathFullyQualified(RootFs))
        {
            throw new ConfigException($"container rootFs '{RootFs}' is not an absolute path");
        }
        if (Hostname.Length is 0 or > 64)
        {
            throw new ConfigException($"container hostname '{Hostname}' must be 1 to 64 bytes");
        }
        if (!WorkingDirectory.StartsWith('/'))
        {
            throw new ConfigException($"container workingDirectory '{WorkingDirectory}' must be absolute");
        }
        foreach (var capability in Capabilities)
        {
            _ = Container.CapabilityNames.Parse(capability);
        }
        foreach (var limit in Rlimits)
        {
            _ = Container.ResourceLimits.Parse(limit.Resource);
            if (limit.Soft > limit.Hard)
            {
                throw new ConfigException($"rlimit {limit.Resource}: soft {limit.Soft} is above hard {limit.Hard}");
            }
        }
    }
}
