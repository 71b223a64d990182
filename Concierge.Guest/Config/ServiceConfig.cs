namespace Concierge.Guest.Config;

/// <summary>A process the supervisor starts at boot.</summary>
internal sealed record ServiceConfig
{
    public string Name { get; set; } = "";

    public string[] Argv { get; set; } = [];

    /// <summary>Environment, "NAME=value"; the init's PATH is used when empty.</summary>
    public string[] Env { get; set; } = [];

    /// <summary>Start it again when it exits, within the restart budget.</summary>
    public bool Respawn { get; set; }

    /// <summary>Shut the whole guest down in order when it exits (the app of an app VM).</summary>
    public bool ShutdownOnExit { get; set; }

    /// <summary>Run it inside the container (see <see cref="InitConfig.Container"/>).</summary>
    public bool InContainer { get; set; }
}
