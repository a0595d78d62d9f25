/* The customer's pages, enhanced. Everything works without this file (plain form posts).

   On the upload form: a preview of the chosen photo, photos larger than the form's data-max-side
   shrunk in the browser (canvas, JPEG quality 0.92) before sending, and a progress bar while the
   file goes up (XMLHttpRequest: fetch() cannot report upload progress). PDF and HEIC, which the
   browser cannot decode, and anything that fails on the way are sent exactly as chosen. */
(function () {
  'use strict';

  var DECODABLE = ['image/jpeg', 'image/png', 'image/webp'];
  var JPEG_QUALITY = 0.92;

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

  // A page with errors comes back (HTTP 400): show it in place and enhance it again.
  function replacePage(html) {
    var next = new DOMParser().parseFromString(html, 'text/html');
    var main = next.querySelector('main');
    if (!main) return false;
    document.querySelector('main').replaceWith(document.adoptNode(main));
    document.title = next.title;
    initUploadForm();
    var error = document.querySelector('main .errorlist, main .alert.bad');
    if (error) error.scrollIntoView({ block: 'center' });
    return true;
  }

  function send(form, body, button) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action || window.location.href);
    xhr.upload.addEventListener('progress', function (event) {
      if (!event.lengthComputable) return;
      setProgress(form, Math.round(event.loaded / event.total * 100), form.dataset.uploading + ' ' +
        Math.round(event.loaded / event.total * 100) + '%');
    });
    xhr.upload.addEventListener('load', function () { setProgress(form, 100, form.dataset.reading); });
    xhr.addEventListener('load', function () {
      // Success redirects to the next step; XHR followed it, the page goes there too.
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
        showPreview(form, file);
      });
    });
    form.addEventListener('submit', function (event) {
      var file = chosenFile(form);
      if (!file || !window.FormData || !window.XMLHttpRequest || !window.Promise) return;
      event.preventDefault();
      var button = form.querySelector('button[type=submit]');
      button.disabled = true;
      setProgress(form, 0, form.dataset.uploading);
      prepare(file, parseInt(form.dataset.maxSide, 10)).then(function (toSend) {
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
  });
})();
