; PMV Support Assistant - Inno Setup 6 script (Windows installer).
;
; Build the PyInstaller bundle first, then compile this script:
;     python build_spec.py                       (-> dist\pmv-support\)
;     iscc /DVERSION=0.1.0 installer\pmv-support.iss
; Optional: /DDistDir=C:\path\to\pmv-support  to package a bundle from elsewhere.
; The result is installer\Output\pmv-support-<version>-setup.exe.
;
; Silent upgrade (what the app's auto-updater runs, elevated):
;     pmv-support-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; /VERYSILENT shows no wizard and no progress window, /SUPPRESSMSGBOXES takes
; the default answer of every message box (so the running app is closed
; without asking, see CloseApplications), /NORESTART never reboots the till.
; Inno finds the previous install through the fixed AppId below, installs over
; it with the tasks chosen last time, and the [Run] section starts the app
; again afterwards.
;
; This file is UTF-8 with a BOM so that Inno reads the Vietnamese text as
; Unicode; keep the BOM when editing.

; ---------------------------------------------------------------------------
; Preprocessor: values that come from the command line, with defaults.
; ---------------------------------------------------------------------------
#ifndef VERSION
  #define VERSION "0.0.0"
#endif
#ifndef DistDir
  ; The PyInstaller one-dir output, relative to this script.
  #define DistDir "..\dist\pmv-support"
#endif
#define AppExe "pmv-support.exe"
; Vietnamese.isl is an *unofficial* Inno Setup translation: it is not part of
; a standard Inno Setup 6 install (only the official languages are), so it is
; used only when someone has copied it into the compiler's Languages folder
; (download it from jrsoftware.org/files/istrans/).  Without it the installer
; is English only; the app itself still speaks Vietnamese by default.
#if FileExists(AddBackslash(CompilerPath) + "Languages\Vietnamese.isl")
  #define HaveVietnamese
#endif

; ---------------------------------------------------------------------------
; [Setup]: identity of the product and how/where it installs.
; ---------------------------------------------------------------------------
[Setup]
; Never change the AppId: it is how upgrades find the installed copy.
; (The doubled "{{" is Inno's escape for a literal brace.)
AppId={{6057CDEB-5D2C-4E8E-9835-E0E3779A5735}
AppName=PMV Support Assistant
AppVersion={#VERSION}
AppVerName=PMV Support Assistant {#VERSION}
AppPublisher=Phần Mềm Vàng
; The hotline (app.HOTLINE, written once in pmv_protocol); tests/packaging/test_installer_script.py holds it to it.
AppSupportURL=tel:19006037
VersionInfoVersion={#VERSION}
VersionInfoProductName=PMV Support Assistant
; Per-machine install into Program Files (64-bit on 64-bit Windows).
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DefaultDirName={autopf}\PMV Support Assistant
DefaultGroupName=PMV Support Assistant
DisableProgramGroupPage=yes
; An upgrade reuses the folder chosen the first time.
UsePreviousAppDir=yes
UninstallDisplayIcon={app}\{#AppExe}
; The installer itself wears the app badge too.
SetupIconFile=..\resources\icons\pmv-support.ico
UninstallDisplayName=PMV Support Assistant
OutputDir=Output
OutputBaseFilename=pmv-support-{#VERSION}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Upgrades: the Restart Manager closes the running app (tray included) before
; files are replaced; with /SUPPRESSMSGBOXES it does so without asking.
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
; The Restart Manager can only restart programs that registered themselves
; with it, which a PyInstaller app does not; the app is started again by the
; [Run] entry below instead, so this stays off (no double start).
RestartApplications=no
; Nothing here needs a reboot; never offer one.
RestartIfNeededByRun=no
AlwaysRestart=no

; ---------------------------------------------------------------------------
; [Languages]: wizard languages (English always, Vietnamese when available).
; ---------------------------------------------------------------------------
[Languages]
#ifdef HaveVietnamese
Name: "vi"; MessagesFile: "compiler:Languages\Vietnamese.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

; ---------------------------------------------------------------------------
; [CustomMessages]: our own texts, per language.
; ---------------------------------------------------------------------------
[CustomMessages]
en.AutostartTask=Start PMV Support Assistant in the tray when Windows starts
en.LaunchApp=Open PMV Support Assistant
en.RemoveData=Also delete this computer's PMV Support Assistant data (settings, support requests, check history, logs) in:%n%n%1%n%nChoose No to keep it for a later reinstall.
#ifdef HaveVietnamese
vi.AutostartTask=Khởi động PMV Support Assistant ở khay hệ thống khi mở Windows
vi.LaunchApp=Mở PMV Support Assistant
vi.RemoveData=Xóa luôn dữ liệu của PMV Support Assistant trên máy này (cài đặt, yêu cầu hỗ trợ, lịch sử kiểm tra, nhật ký) tại:%n%n%1%n%nChọn No (Không) để giữ lại cho lần cài đặt sau.
#endif

; ---------------------------------------------------------------------------
; [Tasks]: the choices offered on the "Select Additional Tasks" page.
; A desktop icon is off by default; start-at-logon is on by default.
; ---------------------------------------------------------------------------
[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "autostart"; Description: "{cm:AutostartTask}"

; ---------------------------------------------------------------------------
; [InstallDelete]: before copying, drop the previous bundle's internals so an
; upgrade never mixes old and new libraries.  User data lives elsewhere.
; ---------------------------------------------------------------------------
[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

; ---------------------------------------------------------------------------
; [Files]: the whole PyInstaller one-dir bundle.
; ---------------------------------------------------------------------------
[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

; ---------------------------------------------------------------------------
; [Icons]: Start-menu shortcut for everyone, optional desktop shortcut.
; ---------------------------------------------------------------------------
[Icons]
Name: "{autoprograms}\PMV Support Assistant"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\PMV Support Assistant"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

; ---------------------------------------------------------------------------
; [Registry]: start at logon, hidden in the tray (--minimized), for every user
; of the till PC.  Removed again on uninstall, and when an upgrade runs with
; the task unticked.
; ---------------------------------------------------------------------------
[Registry]
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "PMV Support Assistant"; ValueData: """{app}\{#AppExe}"" --minimized"; Flags: uninsdeletevalue; Tasks: autostart
Root: HKLM; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "PMV Support Assistant"; Flags: deletevalue; Tasks: not autostart

; ---------------------------------------------------------------------------
; [Run]: what starts after installing.
;  - Interactive install: a "Open PMV Support Assistant" checkbox on the last
;    page (postinstall; skipped when silent).
;  - Silent upgrade by the auto-updater: the app is started again in the tray
;    (skipifnotsilent), as the logged-in user rather than the elevated
;    installer account (runasoriginaluser), without waiting for it (nowait).
;    The app's own update helper passes /NOAPPSTART: it starts the new version
;    itself and watches it start, so it can roll back (app/updates/app_swap.py).
; ---------------------------------------------------------------------------
;  - /ENROL=CODE (a vendor's scripted install, e.g. "pmv-support-setup.exe
;    /SILENT /ENROL=7KQ3M-Z4PAB"): the app opens its setup wizard with that
;    enrolment code filled in, silent or not, instead of starting in the tray.
[Run]
Filename: "{app}\{#AppExe}"; Parameters: "{code:EnrolArgs}"; Description: "{cm:LaunchApp}"; Flags: nowait postinstall skipifsilent runasoriginaluser
Filename: "{app}\{#AppExe}"; Parameters: "--minimized"; Flags: nowait skipifnotsilent runasoriginaluser; Check: (not NoAppStart) and (not HasEnrol)
Filename: "{app}\{#AppExe}"; Parameters: "{code:EnrolArgs}"; Flags: nowait skipifnotsilent runasoriginaluser; Check: (not NoAppStart) and HasEnrol

; ---------------------------------------------------------------------------
; [UninstallDelete]: the program folder goes away completely, including files
; the bundle wrote at run time; the user's data does not (see [Code]).
; ---------------------------------------------------------------------------
[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

; ---------------------------------------------------------------------------
; [Code]: on uninstall, keep the user's data (%LOCALAPPDATA%\PMV\pmv-support:
; settings, the app database with support requests and check history, logs,
; installed regulation packs) unless the user says to delete it.  A silent
; uninstall never deletes it.  {localappdata} is that of the account running
; the uninstaller; on a till PC that is the cashier's (admin) account.
; ---------------------------------------------------------------------------
[Code]
function NoAppStart: Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/NOAPPSTART') = 0 then
      Result := True;
end;

{ /ENROL=CODE on the installer's command line: the enrolment code for the app's setup wizard. }
function HasEnrol: Boolean;
begin
  Result := ExpandConstant('{param:ENROL|}') <> '';
end;

function EnrolArgs(Param: String): String;
var
  Code: String;
begin
  Result := '';
  Code := ExpandConstant('{param:ENROL|}');
  { Only the code's own characters go on the app's command line (letters, digits, dashes). }
  StringChangeEx(Code, '"', '', True);
  StringChangeEx(Code, ' ', '', True);
  if Code <> '' then
    Result := '--enrol "' + Code + '"';
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\PMV\pmv-support');
    if DirExists(DataDir) and (not UninstallSilent) then
    begin
      if MsgBox(FmtMessage(CustomMessage('RemoveData'), [DataDir]), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      begin
        DelTree(DataDir, True, True, True);
        { Remove the vendor folder too if nothing else of PMV is in it. }
        RemoveDir(ExpandConstant('{localappdata}\PMV'));
      end;
    end;
  end;
end;
