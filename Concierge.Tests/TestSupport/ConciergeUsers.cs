namespace Concierge.Tests.TestSupport;

/// <summary>
/// The accounts the package makes, made for real on this machine as its sysusers file makes them
/// (user and group concierge), plus a throwaway member of the group to act as a caller.
/// </summary>
public static class ConciergeUsers
{
    /// <summary>The service's own user (and group), from systemd/concierge.sysusers.</summary>
    public const string Service = "concierge";

    /// <summary>A member of group concierge: a user allowed to call the service, nothing more.</summary>
    public const string GroupMember = "concierge-test";

    /// <summary>A second member of group concierge, to see what one member learns of another's VMs.</summary>
    public const string SecondMember = "concierge-test2";

    /// <summary>Creates them when missing.</summary>
    public static async Task EnsureAsync()
    {
        await Command.RunCheckedAsync("systemd-sysusers", Path.Combine(RepoPaths.Root, "systemd/concierge.sysusers"));
        foreach (var member in new[] { GroupMember, SecondMember })
        {
            if ((await Command.RunAsync("id", ["-u", member])).ExitCode != 0)
            {
                await Command.RunCheckedAsync("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", Service, member);
            }
        }
    }
}
