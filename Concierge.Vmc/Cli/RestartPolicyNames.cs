using Concierge.Client;

namespace Concierge.Vmc.Cli;

/// <summary>The spellings of --restart.</summary>
internal static class RestartPolicyNames
{
    public static readonly string[] All = ["never", "on-failure", "on-unresponsive"];

    public static RestartPolicy? Parse(string? text) => text switch
    {
        null => null,
        "never" => RestartPolicy.Never,
        "on-failure" => RestartPolicy.OnFailure,
        "on-unresponsive" => RestartPolicy.OnUnresponsive,
        _ => throw new ArgumentOutOfRangeException(nameof(text), text, "unknown restart policy"),
    };
}
