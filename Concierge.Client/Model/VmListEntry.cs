namespace Concierge.Client;

/// <summary>One row of the typed face's ListVms: a VM's name, state and object path.</summary>
/// <param name="Name">The VM's name.</param>
/// <param name="State">Its state.</param>
/// <param name="Path">Its object path.</param>
public sealed record VmListEntry(string Name, VmState State, string Path);
