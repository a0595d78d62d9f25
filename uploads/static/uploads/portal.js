/* The customer's pages, enhanced. Everything works without this file (plain form posts).

   On the upload form: a preview of the chosen photo, photos larger than the form's data-max-side
   shrunk in the browser (canvas, JPEG quality 0.92) before sending, and a progress bar while the
   file goes up (XMLHttpRequest: fetch() cannot report upload progress). PDF and HEIC, which the
   browser cannot decode, and anything that fails on the way are sent exactly as chosen.
   A file of a type the server refuses, or too big even after shrinking, is not sent: the server's
   own message says why. The chosen photo stays chosen when the page comes back with an error, and
   the error summary at the top of any page takes the focus. */
(function () {
  'use strict';

  var DECODABLE = ['image/jpeg', 'image/png', 'image/webp'];
  // 0.82: a 2,560 px phone photo is about 450 KB instead of 1 MB at 0.92 (half the upload time on
  // a slow connection, make bench-phone); the MRZ's large print reads the same.
  var JPEG_QUALITY = 0.82;
  // What the server takes (uploads.core.images); an empty type (unknown to the browser) is left
  // for the server to judge.
  var ACCEPTED = ['image/jpeg', 'image/png', 'image/heic', 'image/heif', 'application/pdf', ''];
  // The photo chosen before the page was replaced by an answer with errors.
  var keptFile = null;
  // The copy to send, made as soon as a photo is chosen (while the customer ticks the box), so
  // that tapping Upload starts sending at once: { file: File, ready: Promise }.
  var prepared = null;

  function preparedFor(file, maxSide) {
    if (!prepared || prepared.file !== file) prepared = { file: file, ready: prepare(file, maxSide) };
    return prepared.ready;
  }

  // The language switcher changes as soon as a language is picked; its button is for no-JS.
  function initLanguageSwitcher() {
    var form = document.querySelector('form.langs');
    if (!form) return;
    var button = form.querySelector('.langs-go');
    if (button) button.hidden = true;
    form.querySelector('select').addEventListener('change', function () { form.submit(); });
  }

  function chosenFile(form) {
    var inputs = form.querySelectorAll('input[type=file]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].files && inputs[i].files.length) return inputs[i].files[0];
    }
    return null;
  }

  function decodable(file) {
    return DECODABLE.indexOf(file.type) !== -1 && typeof window.createImageBitmap === 'function';
  }

  // The picture turned upright by its EXIF orientation, as the server would turn it.
  function decode(file) {
    return window.createImageBitmap(file, { imageOrientation: 'from-image' });
  }

  function showPreview(form, file) {
    var canvas = form.querySelector('#photo-preview');
    if (!canvas) return;
    canvas.hidden = true;
    if (!file || !decodable(file)) return;
    decode(file).then(function (bitmap) {
      // A small canvas, not a blob: URL in an <img>: nothing for the content policy to allow.
      var scale = Math.min(1, 800 / Math.max(bitmap.width, bitmap.height));
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      canvas.hidden = false;
    }).catch(function () { /* the server says what is wrong with the file */ });
  }

  // Resolves to what to send: the file itself, or a smaller JPEG of it.
  function prepare(file, maxSide) {
    if (!maxSide || !decodable(file)) return Promise.resolve(file);
    return decode(file).then(function (bitmap) {
      var longSide = Math.max(bitmap.width, bitmap.height);
      if (longSide <= maxSide) {
        if (bitmap.close) bitmap.close();
        return file;
      }
      var scale = maxSide / longSide;
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext('2d');
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob && blob.size < file.size ? blob : file);
        }, 'image/jpeg', JPEG_QUALITY);
      });
    }).catch(function () { return file; });
  }

  function jpegName(name) {
    return (name.replace(/\.[^.]*$/, '') || 'photo') + '.jpg';
  }

  function setProgress(form, percent, text) {
    var box = form.querySelector('#upload-progress-box');
    var bar = form.querySelector('#upload-progress');
    var label = form.querySelector('#upload-progress-label');
    if (!box || !bar) return;
    box.hidden = false;
    bar.value = percent;
    if (label && text) label.textContent = text;
    form.dispatchEvent(new CustomEvent('portal:progress', { bubbles: true, detail: percent }));
  }

  // Errors are listed at the top of the page: the focus goes there, as a screen reader expects.
  function focusErrorSummary() {
    var summary = document.getElementById('error-summary');
    if (!summary) return;
    summary.focus();
    summary.scrollIntoView({ block: 'start' });
  }

  // The server's message for a file it would refuse anyway, said before anything is sent.
  function fileProblem(form, file, size) {
    var maxBytes = parseInt(form.dataset.maxBytes, 10);
    if (ACCEPTED.indexOf(file.type) === -1 && !/\.(heic|heif)$/i.test(file.name)) {
      return form.dataset.wrongType;
    }
    if (maxBytes && size > maxBytes) return form.dataset.tooLarge;
    return '';
  }

  function showFileProblem(form, message) {
    var box = form.querySelector('#file-check');
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  // A page with errors comes back (HTTP 400): show it in place and enhance it again.
  function replacePage(html) {
    var next = new DOMParser().parseFromString(html, 'text/html');
    var main = next.querySelector('main');
    if (!main) return false;
    document.querySelector('main').replaceWith(document.adoptNode(main));
    document.title = next.title;
    initUploadForm();
    focusErrorSummary();
    return true;
  }

  // Put the photo chosen before back into the new form, unless the file itself was the problem.
  function restoreFile(form) {
    var file = keptFile;
    keptFile = null;
    if (!file || form.querySelector('#file-errors .errorlist') || typeof DataTransfer !== 'function') return;
    var gallery = form.querySelector('input[type=file]:not([capture])');
    if (!gallery) return;
    try {
      var transfer = new DataTransfer();
      transfer.items.add(file);
      gallery.files = transfer.files;
    } catch (error) {
      return;  // an old browser: the customer picks the photo again
    }
    var chosen = form.querySelector('#chosen');
    if (chosen) chosen.textContent = file.name;
    showPreview(form, file);
  }

  function send(form, body, button) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action || window.location.href);
    // The server answers 204 with the next address instead of a redirect XHR would follow:
    // the next page is fetched once, by the browser itself.
    xhr.setRequestHeader('X-Portal-Upload', '1');
    xhr.upload.addEventListener('progress', function (event) {
      if (!event.lengthComputable) return;
      setProgress(form, Math.round(event.loaded / event.total * 100), form.dataset.uploading + ' ' +
        Math.round(event.loaded / event.total * 100) + '%');
    });
    xhr.upload.addEventListener('load', function () { setProgress(form, 100, form.dataset.reading); });
    xhr.addEventListener('load', function () {
      var next = xhr.getResponseHeader('X-Next');
      if (xhr.status === 204 && next) {
        window.location.assign(next);
        return;
      }
      // A server without the header redirected; XHR followed it, the page goes there too.
      var arrived = new URL(xhr.responseURL || window.location.href);
      if (xhr.status < 400 && arrived.pathname !== window.location.pathname) {
        window.location.assign(arrived.pathname);
        return;
      }
      if (!replacePage(xhr.responseText)) window.location.reload();
    });
    xhr.addEventListener('error', function () {
      button.disabled = false;
      setProgress(form, 0, form.dataset.failed);
    });
    xhr.send(body);
  }

  function initUploadForm() {
    var form = document.querySelector('form.upload');
    if (!form || form.dataset.enhanced) return;
    form.dataset.enhanced = '1';
    var inputs = form.querySelectorAll('input[type=file]');
    var chosen = form.querySelector('#chosen');
    inputs.forEach(function (input) {
      input.addEventListener('change', function () {
        // Two buttons (camera, gallery), one file: the last one picked counts.
        inputs.forEach(function (other) { if (other !== input) other.value = ''; });
        var file = input.files.length ? input.files[0] : null;
        if (chosen) chosen.textContent = file ? file.name : '';
        // A photo the browser can shrink is judged by its size after shrinking, on sending.
        showFileProblem(form, file ? fileProblem(form, file, decodable(file) ? 0 : file.size) : '');
        showPreview(form, file);
        if (file) preparedFor(file, parseInt(form.dataset.maxSide, 10));
      });
    });
    restoreFile(form);
    form.addEventListener('submit', function (event) {
      // "Type the details instead" sends no file: the browser posts the form as it is.
      if (event.submitter && event.submitter.name === 'typed') return;
      var file = chosenFile(form);
      if (!file || !window.FormData || !window.XMLHttpRequest || !window.Promise) return;
      event.preventDefault();
      var problem = fileProblem(form, file, decodable(file) ? 0 : file.size);
      if (problem) {
        showFileProblem(form, problem);
        form.querySelector('input[type=file]').focus();
        return;
      }
      var button = form.querySelector('button[type=submit]');
      button.disabled = true;
      var consent = form.querySelector('input[name=consent]');
      if (consent && !consent.checked) {
        // Nothing would be stored without the consent: ask the server for the page with its
        // message, without sending the photo, and keep the photo chosen.
        keptFile = file;
        var withoutPhoto = new FormData(form);
        withoutPhoto.delete('file');
        withoutPhoto.set('photo_kept', '1');
        send(form, withoutPhoto, button);
        return;
      }
      setProgress(form, 0, form.dataset.uploading);
      preparedFor(file, parseInt(form.dataset.maxSide, 10)).then(function (toSend) {
        var tooBig = fileProblem(form, toSend, toSend.size);
        if (tooBig) {
          button.disabled = false;
          form.querySelector('#upload-progress-box').hidden = true;
          showFileProblem(form, tooBig);
          return;
        }
        keptFile = file;
        var body = new FormData(form);
        body.delete('file');
        body.append('file', toSend, toSend === file ? file.name : jpegName(file.name));
        send(form, body, button);
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    initLanguageSwitcher();
    initUploadForm();
    focusErrorSummary();
  });
})();
