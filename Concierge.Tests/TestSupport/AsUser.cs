namespace Concierge.Tests.TestSupport;

/// <summary>Runs a program as another real user through setpriv: its uid, primary gid and groups.</summary>
public static class AsUser
{
    /// <summary>The setpriv arguments that run what follows them as <paramref name="user"/>.</summary>
    public static async Task<string[]> SetprivAsync(string user)
    {
        var gid = (await Command.RunCheckedAsync("id", "-g", user)).StandardOutput.Trim();
        return ["--reuid=" + user, "--regid=" + gid, "--init-groups"];
    }

    /// <summary>Runs <paramref name="program"/> as <paramref name="user"/>.</summary>
    public static async Task<CommandResult> RunAsync(string user, string program, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        await Command.RunAsync("setpriv", [.. await SetprivAsync(user), program, .. arguments], timeout);
}
