namespace Concierge.DBus.Server;

/// <summary>A signal and its arguments (for introspection).</summary>
/// <param name="Name">The member name.</param>
/// <param name="Arguments">The arguments.</param>
public sealed record SignalDescription(string Name, IReadOnlyList<ArgumentDescription> Arguments);
