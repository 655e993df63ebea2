@echo off
rem pos-store of an installed till: the store node CLI run by the app binary (docs/pos-ui.md).
rem The app is a windowed program, so start /wait is what makes this wait for it and keep its exit code.
start "" /wait "%~dp0Retail POS.exe" pos-store %*
exit /b %ERRORLEVEL%
