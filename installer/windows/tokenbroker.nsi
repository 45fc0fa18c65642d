; The tokenbroker installer for 64-bit Windows (NSIS 3, built by the Windows
; build: installer/windows/CMakeLists.txt passes VERSION, STAGE, EXAMPLE and
; OUTFILE). It installs what `cmake --install` stages (bin\tokenbroker.exe,
; lib\tokenbroker\plugins\*.dll, share\doc\tokenbroker) under
; Program Files\TokenBroker and lets tokenbroker.exe itself register the
; service, the Event Log source and %ProgramData%\TokenBroker with its ACLs.
;
;   tokenbroker-VERSION-setup.exe [/S] [/D=DIR]     install or upgrade in place
;   uninstall.exe [/S] [/PURGE]                    remove; /PURGE also removes
;                                                  %ProgramData%\TokenBroker
Unicode true
Target amd64-unicode
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "x64.nsh"
!include "StrFunc.nsh"
${StrStr}

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\TokenBroker"

Name "TokenBroker ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\TokenBroker"
ShowInstDetails show
ShowUninstDetails show

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Var Data

Function .onInit
  SetShellVarContext all
  SetRegView 64
  ; An upgrade goes where the installed version is.
  ReadRegStr $0 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext all
  SetRegView 64
FunctionEnd

; Waits up to 60 s until the installed tokenbroker.exe can be replaced
; (a stopped service lets go of it); `net stop` may return earlier.
Function WaitUntilReplaceable
  StrCpy $1 0
  ${DoWhile} $1 < 60
    ClearErrors
    FileOpen $0 "$INSTDIR\bin\tokenbroker.exe" a
    ${IfNot} ${Errors}
      FileClose $0
      Return
    ${EndIf}
    Sleep 1000
    IntOp $1 $1 + 1
  ${Loop}
  Abort "tokenbroker.exe is still in use after 60 s; stop the TokenBroker service and run the installer again."
FunctionEnd

Section "TokenBroker" Main
  SetShellVarContext all
  SetRegView 64
  StrCpy $Data "$APPDATA\TokenBroker"

  ${If} ${FileExists} "$INSTDIR\bin\tokenbroker.exe"
    DetailPrint "Upgrading: stopping the TokenBroker service"
    nsExec::ExecToLog '"$SYSDIR\net.exe" stop TokenBroker'
    Pop $0
    Call WaitUntilReplaceable
  ${EndIf}

  SetOutPath "$INSTDIR"
  File /r "${STAGE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Service, event source and the data directories with their ACLs; an
  ; existing registration is updated and keeps its account.
  nsExec::ExecToLog '"$INSTDIR\bin\tokenbroker.exe" /registerService'
  Pop $0
  ${If} $0 != 0
    Abort "tokenbroker.exe /registerService failed (exit code $0); see the details above."
  ${EndIf}

  ; The example configuration only where there is none: an upgrade keeps
  ; the administrator's file.
  ${IfNot} ${FileExists} "$Data\tokenbroker.yaml"
    SetOutPath "$Data"
    File "/oname=tokenbroker.yaml" "${EXAMPLE}"
    SetOutPath "$INSTDIR"
  ${EndIf}

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "TokenBroker"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "tokenbroker"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1

  ; Started only when the configuration is valid and has profiles.
  nsExec::ExecToStack '"$INSTDIR\bin\tokenbroker.exe" check'
  Pop $0
  Pop $1
  ; (its output is stdout and stderr together: warnings may come first)
  ${StrStr} $2 $1 "ok: 0 profiles"
  ${If} $0 == 0
  ${AndIf} $2 == ""
    DetailPrint "Starting the TokenBroker service"
    nsExec::ExecToLog '"$SYSDIR\net.exe" start TokenBroker'
    Pop $0
  ${ElseIf} $0 == 0
    DetailPrint "Not starting the service: $Data\tokenbroker.yaml has no profiles yet"
  ${Else}
    DetailPrint "Not starting the service: tokenbroker.exe check found problems:"
    DetailPrint "$1"
  ${EndIf}
SectionEnd

; Removes a file or a directory tree, retrying for up to 10 s: a process that
; has just exited (tokenbroker.exe after /unregisterService, the uninstall.exe
; that started this copy of the uninstaller) may hold its file a moment
; longer, as seen under wine.
!macro RemoveRetrying Remove Path Probe
  StrCpy $R1 0
  ${Do}
    ClearErrors
    ${Remove} "${Path}"
    ${IfNot} ${FileExists} "${Probe}"
      ${Break}
    ${EndIf}
    IntOp $R1 $R1 + 1
    ${If} $R1 >= 100
      DetailPrint "Could not remove ${Path}"
      ${Break}
    ${EndIf}
    Sleep 100
  ${Loop}
!macroend
!define RemoveTree "!insertmacro RemoveRetrying 'RMDir /r'"
!define RemoveFile "!insertmacro RemoveRetrying Delete"

Section "Uninstall"
  SetShellVarContext all
  SetRegView 64
  ; Stops the service (waiting for it) and removes it and the event source.
  nsExec::ExecToLog '"$INSTDIR\bin\tokenbroker.exe" /unregisterService'
  Pop $0
  ${RemoveTree} "$INSTDIR\bin" "$INSTDIR\bin\*.*"
  ${RemoveTree} "$INSTDIR\lib" "$INSTDIR\lib\*.*"
  ${RemoveTree} "$INSTDIR\share" "$INSTDIR\share\*.*"
  ${RemoveFile} "$INSTDIR\uninstall.exe" "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"

  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/PURGE" $1
  ${IfNot} ${Errors}
    DetailPrint "Removing configuration, state and logs (/PURGE)"
    RMDir /r "$APPDATA\TokenBroker"
  ${Else}
    DetailPrint "Kept configuration, state and logs in $APPDATA\TokenBroker"
  ${EndIf}
SectionEnd
