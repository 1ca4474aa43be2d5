using System.Reflection;

namespace KeyVaulting.Sources.Configuration;

/// <summary>
/// The store packages the application declares with <see cref="OpenAIKeyStoreAttribute"/> (each store package's
/// build targets add one to the application's assembly): the attributes of the entry assembly, then those of the
/// store assemblies they name, which name the factories. Trim-safe: no type is looked up by name, and the attribute
/// keeps the factories' constructors. Compiled into KeyVaulting.Rotation too.
/// </summary>
internal static class InstalledStores
{
    public static IReadOnlyList<OpenAIKeyStoreAttribute> Declared(Assembly? application)
    {
        var found = new List<OpenAIKeyStoreAttribute>();
        if (application is null)
        {
            return found;
        }

        foreach (var named in application.GetCustomAttributes<OpenAIKeyStoreAttribute>())
        {
            found.Add(named);
            if (named.Type.Assembly != application)
            {
                found.AddRange(named.Type.Assembly.GetCustomAttributes<OpenAIKeyStoreAttribute>());
            }
        }

        return found;
    }

    /// <summary>The end of the "package not found" messages: what a trimmed or native AOT application needs.</summary>
    /// <param name="package">The store package, for example <c>KeyVaulting.AzureKeyVault</c>.</param>
    /// <param name="storeName">The store's configuration type, for example <c>AzureKeyVault</c>: its options type is <c>{package}.{storeName}KeySourceOptions</c>.</param>
    public static string TrimmedHint(string package, string storeName)
        => $"If {package} is installed and the application is trimmed or published as native AOT, its build did not declare the package " +
           $"(the package's build targets do, when GenerateAssemblyInfo is on): add [assembly: KeyVaulting.OpenAIKeyStore(typeof({package}.{storeName}KeySourceOptions))] " +
           "to the application, or register the store in code.";
}
