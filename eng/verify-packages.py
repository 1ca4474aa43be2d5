#!/usr/bin/env python3
"""Checks what `dotnet pack -c Release` wrote, as a consumer of the packages would see it.

Usage: verify-packages.py FEED_DIR

For every library under src/ (a project with IsPackable true, found by its PackageReadmeFile) there must be one
.nupkg and one .snupkg; each .nupkg carries its README, the icon, the licence expression, the repository and project
URLs, release notes, tags, and for both target frameworks the DLL and its XML documentation (a dotnet tool, PackAsTool:
its DLL and DotnetToolSettings.xml under tools/<tfm>/any/ for its one framework, and no lib/ folder); no DLL or PDB
holds a path of the machine that packed it. Prints one line per problem and exits 1 when there is any.
"""
import pathlib, re, sys, zipfile
import xml.etree.ElementTree as ET

feed = pathlib.Path(sys.argv[1])
root = pathlib.Path(__file__).resolve().parent.parent
frameworks = ["net8.0", "net10.0"]
problems = []

packages = sorted(p.parent.name for p in root.glob("src/*/*.csproj")
                  if "<IsPackable>false</IsPackable>" not in p.read_text())
packages = [p for p in packages if (root / "src" / p / "README.md").exists()]
# dotnet tools (PackAsTool) carry the application under tools/<tfm>/any/, for the one framework they target.
tools = {p: re.search(r"<TargetFrameworks?>([^<;]+)</TargetFrameworks?>", (root / "src" / p / f"{p}.csproj").read_text()).group(1)
         for p in packages if "<PackAsTool>true</PackAsTool>" in (root / "src" / p / f"{p}.csproj").read_text()}
if not packages:
    problems.append("no packable library found under src/")

for package in packages:
    nupkgs = list(feed.glob(f"{package}.[0-9]*.nupkg"))
    snupkgs = list(feed.glob(f"{package}.[0-9]*.snupkg"))
    if len(nupkgs) != 1 or len(snupkgs) != 1:
        problems.append(f"{package}: expected one .nupkg and one .snupkg in {feed}, found {len(nupkgs)} and {len(snupkgs)}")
        continue
    with zipfile.ZipFile(nupkgs[0]) as z:
        names = set(z.namelist())
        nuspec_name = next((n for n in names if n.endswith(".nuspec")), None)
        meta = ET.fromstring(z.read(nuspec_name)).find("{*}metadata") if nuspec_name else None
        if meta is None:
            problems.append(f"{package}: no nuspec")
            continue
        def text(tag):
            element = meta.find("{*}" + tag)
            return element.text if element is not None and element.text else ""
        license = meta.find("{*}license")
        if license is None or license.get("type") != "expression" or not license.text:
            problems.append(f"{package}: no licence expression")
        for tag in ["readme", "icon", "projectUrl", "releaseNotes", "tags", "description"]:
            if not text(tag):
                problems.append(f"{package}: nuspec has no <{tag}>")
        repository = meta.find("{*}repository")
        if repository is None or not repository.get("url"):
            problems.append(f"{package}: nuspec has no repository URL (Source Link needs it)")
        if text("readme") and text("readme") not in names:
            problems.append(f"{package}: the README {text('readme')} is not in the package")
        if text("icon") and text("icon") not in names:
            problems.append(f"{package}: the icon {text('icon')} is not in the package")
        if (root / "src" / package / "ConfigurationSchema.json").exists():
            # appsettings.json IntelliSense: the schema segment at the package root, registered by buildTransitive targets.
            targets = f"buildTransitive/{package}.targets"
            if "ConfigurationSchema.json" not in names:
                problems.append(f"{package}: ConfigurationSchema.json is not at the package root")
            if targets not in names or b"JsonSchemaSegment" not in z.read(targets):
                problems.append(f"{package}: {targets} does not register ConfigurationSchema.json (JsonSchemaSegment)")
        readme = z.read(text("readme")).decode("utf-8") if text("readme") in names else ""
        if "docs/" not in readme:
            problems.append(f"{package}: the package README does not link to the full documentation (docs/)")
        folders = [f"tools/{tools[package]}/any"] if package in tools else [f"lib/{tfm}" for tfm in frameworks]
        if package in tools:
            if f"{folders[0]}/DotnetToolSettings.xml" not in names:
                problems.append(f"{package}: {folders[0]}/DotnetToolSettings.xml is missing (PackAsTool)")
            if any(n.startswith("lib/") for n in names):
                problems.append(f"{package}: a tool package has no lib/ folder")
        for folder in folders:
            for ext in ["dll"] if package in tools else ["dll", "xml"]:
                if f"{folder}/{package}.{ext}" not in names:
                    problems.append(f"{package}: {folder}/{package}.{ext} is missing")
            dll = f"{folder}/{package}.dll"
            if dll in names and str(root).encode() in z.read(dll):
                problems.append(f"{package}: {dll} holds a local path ({root}); pack with ContinuousIntegrationBuild")
    with zipfile.ZipFile(snupkgs[0]) as z:
        for folder in folders:
            pdb = f"{folder}/{package}.pdb"
            if pdb not in z.namelist():
                problems.append(f"{package}: {pdb} is missing from the symbol package")
            elif str(root).encode() in z.read(pdb):
                problems.append(f"{package}: {pdb} holds a local path ({root}); pack with ContinuousIntegrationBuild")

for problem in problems:
    print("package check: " + problem)
print(f"package check: {len(packages)} packages, {len(problems)} problems")
sys.exit(1 if problems else 0)
